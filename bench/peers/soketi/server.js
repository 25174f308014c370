'use strict';

// Reference peer: Soketi (the Pusher-protocol server on uWebSockets.js), one process, as `soketi start` runs it
// (Soketi's own Cli: options from SOKETI_* environment variables, run.sh sets them), plus one line once it listens:
//
//   ready pid=<pid> port=<port>
//
// which bench/fanout-run.sh and compare-style scripts wait for. Nothing else differs from `soketi start`.

const { Cli } = require('@soketi/soketi/dist/cli/cli.js');

const cli = new Cli();
const start = cli.server.start.bind(cli.server);
// Server.start(callback) calls back once the WebSocket/HTTP port is bound; Cli.start passes none.
cli.server.start = () => start((server) => {
  console.log(`ready pid=${process.pid} port=${server.options.port}`);
});
cli.start({});
