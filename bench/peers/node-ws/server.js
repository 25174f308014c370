'use strict';

// Reference peer: the Node `ws` echo server as its README teaches it, scaled over cores with `cluster`.
//
//   node server.js [PORT]        PORT also from $PORT; default 29001
//
// Environment (every default is the stock one unless said otherwise):
//   WORKERS                 worker processes; default one per core (os.availableParallelism()), as the
//                           cluster docs suggest
//   HOST                    bind address; default 127.0.0.1 because this box only serves loopback
//   PING_INTERVAL_SECONDS   heartbeat period; default 30, the value in the ws README
//   NODE_CLUSTER_SCHED_POLICY  Node's own knob: 'rr' (default on Linux: the primary accepts and hands
//                           sockets round-robin to workers) or 'none' (workers accept on a shared socket)
//
// Every server process prints one line `ready pid=<pid> port=<port>` once it is listening (the primary
// prints `primary pid=<pid>` first); bench/peers/compare.sh counts those lines.

const cluster = require('node:cluster');
const os = require('node:os');

const port = intFrom(process.argv[2] ?? process.env.PORT ?? '29001', 'PORT', 1, 65535);
const host = process.env.HOST || '127.0.0.1';
const workers = intFrom(process.env.WORKERS ?? String(os.availableParallelism()), 'WORKERS', 1, 256);
const pingIntervalMs = 1000 * intFrom(process.env.PING_INTERVAL_SECONDS ?? '30', 'PING_INTERVAL_SECONDS', 1, 3600);

function intFrom(text, name, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
    process.exit(2);
  }
  return value;
}

if (cluster.isPrimary) {
  runPrimary();
} else {
  runWorker();
}

function runPrimary() {
  console.log(`primary pid=${process.pid} workers=${workers} port=${port} ping=${pingIntervalMs / 1000}s`);
  let stopping = false;

  for (let i = 0; i < workers; i++) cluster.fork();

  // A benchmark with a dead worker measures a different server: take the whole peer down rather than
  // respawn, so the run fails visibly.
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker pid=${worker.process.pid} died (code=${code} signal=${signal}); stopping`);
      stop(1);
    } else if (Object.keys(cluster.workers).length === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });

  function stop(code) {
    if (stopping) return;
    stopping = true;
    process.exitCode = code;
    const alive = Object.values(cluster.workers);
    if (alive.length === 0) process.exit(code);
    for (const worker of alive) worker.process.kill('SIGTERM');
  }

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
}

function runWorker() {
  const { WebSocketServer } = require('ws');

  // From here to the interval, this is the ws README's "How to detect and close broken connections?"
  // verbatim, plus the echo.
  function heartbeat() {
    this.isAlive = true;
  }

  const wss = new WebSocketServer({ host, port });

  wss.on('connection', function connection(ws) {
    ws.isAlive = true;
    ws.on('error', console.error);
    ws.on('pong', heartbeat);
    ws.on('message', function echo(data, isBinary) {
      ws.send(data, { binary: isBinary });
    });
  });

  const interval = setInterval(function ping() {
    wss.clients.forEach(function each(ws) {
      if (ws.isAlive === false) return ws.terminate();

      ws.isAlive = false;
      ws.ping();
    });
  }, pingIntervalMs);

  wss.on('close', function close() {
    clearInterval(interval);
  });

  wss.on('listening', () => console.log(`ready pid=${process.pid} port=${port}`));
  wss.on('error', (err) => {
    console.error(`worker pid=${process.pid}: ${err.message}`);
    process.exit(1);
  });
}
