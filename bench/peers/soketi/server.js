'use strict';

// Reference peer: Soketi (the Pusher-protocol server on uWebSockets.js), one process, as `soketi start` runs it
// (Soketi's own Cli: options from SOKETI_* environment variables, run.sh sets them), plus one line once it listens:
//
//   ready pid=<pid> port=<port>
//
// which bench/fanout-run.sh waits for, and its UDP discovery kept on loopback (below). Nothing else differs from
// `soketi start`.

const { Cli } = require('@soketi/soketi/dist/cli/cli.js');

const cli = new Cli();
// Soketi's UDP cluster discovery (node-discover) binds 0.0.0.0 unless told its `address`, for which Soketi has no
// SOKETI_* variable: keep it on loopback like everything else here (SOKETI_CLUSTER_ADDRESS, default 127.0.0.1).
cli.server.setOptions({ 'cluster.address': process.env.SOKETI_CLUSTER_ADDRESS || '127.0.0.1' });
const start = cli.server.start.bind(cli.server);
// Server.start(callback) calls back once the WebSocket/HTTP port is bound; Cli.start passes none.
cli.server.start = () => start((server) => {
  console.log(`ready pid=${process.pid} port=${server.options.port}`);
});
cli.start({});
