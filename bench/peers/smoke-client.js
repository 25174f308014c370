'use strict';

// Smoke load for the reference peers: open K connections, send one message on each, check the echo,
// optionally hold them open, then close. Bounded in count (K <= 2000) and in time (--timeout), and only
// ever aimed at loopback. This is not the benchmark (that is `throng bench`); it proves a peer works.
//
//   node smoke-client.js --url ws://127.0.0.1:29001/ [--connections 1000] [--hold 0] [--no-pong]
//                        [--timeout 60] [--concurrency 100]
//
//   --connections  K, 1..2000 (one process stays far below the 20,000 open-files limit)
//   --hold         seconds to keep all connections open after the last echo; pings seen meanwhile are
//                  counted, so a hold longer than the peer's ping interval shows its heartbeat works
//   --no-pong      do not answer pings (ws autoPong off): the peer's heartbeat should then drop us
//   --timeout      hard deadline in seconds for the whole run; the process exits when it passes
//   --concurrency  handshakes in flight at once; default 100, well under the peers' accept backlogs
//
// Prints one line `smoke url=… connections=K echoed=E failed=F pings=P droppedByServer=D elapsedMs=T`
// and exits 0 when every connection echoed (and, with --no-pong, every connection was dropped).

const WebSocket = require('ws');

const args = parseArgs(process.argv.slice(2));
const url = args.url;
const total = intArg('connections', 1000, 1, 2000);
const holdMs = 1000 * intArg('hold', 0, 0, 600);
const timeoutMs = 1000 * intArg('timeout', 60, 1, 900);
const concurrency = intArg('concurrency', 100, 1, 1000);
const noPong = args['no-pong'] === true;

if (typeof url !== 'string' || !/^ws:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(url)) {
  fail('--url must be a ws:// URL on loopback, e.g. ws://127.0.0.1:29001/');
}

const started = Date.now();
const sockets = [];
let next = 0;
let inFlight = 0;
let settled = 0; // connections that echoed or failed
let echoed = 0;
let failed = 0;
let pings = 0;
let droppedByServer = 0; // closed by the peer while we were holding
const closeCodes = new Map(); // close code -> count, for droppedByServer (1006: dropped without a close frame)
let phase = 'connect'; // connect -> hold -> close
const firstErrors = new Map(); // message -> count, so a failing run says why without 1000 lines

const deadline = setTimeout(() => {
  console.error(`deadline of ${timeoutMs / 1000}s passed in phase '${phase}'`);
  finish(true);
}, timeoutMs);

pump();

function pump() {
  while (inFlight < concurrency && next < total) {
    open(next++);
  }
}

function open(i) {
  inFlight++;
  const payload = `smoke-${i}-${started}`;
  const ws = new WebSocket(url, { autoPong: !noPong, perMessageDeflate: false, handshakeTimeout: 10_000 });
  sockets.push(ws);
  let done = false;

  const settle = (ok, why) => {
    if (done) return;
    done = true;
    inFlight--;
    settled++;
    if (ok) echoed++;
    else {
      failed++;
      firstErrors.set(why, (firstErrors.get(why) || 0) + 1);
    }
    pump();
    if (settled === total) allSettled();
  };

  ws.on('open', () => ws.send(payload));
  ws.on('message', (data, isBinary) => {
    settle(!isBinary && data.toString() === payload, 'wrong echo');
  });
  ws.on('ping', () => pings++);
  ws.on('error', (err) => settle(false, err.code || err.message));
  ws.on('close', (code) => {
    settle(false, `closed ${code} before echo`);
    if (phase === 'hold') {
      droppedByServer++;
      closeCodes.set(code, (closeCodes.get(code) || 0) + 1);
    }
  });
}

function allSettled() {
  phase = 'hold';
  if (holdMs === 0) return finish(false);
  setTimeout(() => finish(false), holdMs);
}

function finish(timedOut) {
  if (phase === 'close') return;
  phase = 'close';
  clearTimeout(deadline);
  const elapsedMs = Date.now() - started;
  const closing = [];
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.OPEN) {
      closing.push(ws);
      ws.close(1000);
    } else if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    }
  }
  console.log(
    `smoke url=${url} connections=${total} echoed=${echoed} failed=${failed} pings=${pings}` +
      ` droppedByServer=${droppedByServer} elapsedMs=${elapsedMs}`
  );
  for (const [why, count] of firstErrors) console.log(`  ${count} x ${why}`);
  for (const [code, count] of closeCodes) console.log(`  ${count} x closed by the peer with code ${code}`);
  const ok = !timedOut && echoed === total && (!noPong || droppedByServer === total);
  if (noPong && droppedByServer !== total) {
    console.log(`  --no-pong: expected the peer to drop all ${total} connections, it dropped ${droppedByServer}`);
  }
  // Give the close handshakes a moment, then leave regardless: the run must end by itself.
  const grace = setTimeout(() => process.exit(ok ? 0 : 1), closing.length > 0 ? 3000 : 0);
  let left = closing.length;
  for (const ws of closing) {
    ws.once('close', () => {
      if (--left === 0) {
        clearTimeout(grace);
        process.exit(ok ? 0 : 1);
      }
    });
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) fail(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (a === '--no-pong') out['no-pong'] = true;
    else if (i + 1 < argv.length) out[a.slice(2)] = argv[++i];
    else fail(`${a} needs a value`);
  }
  return out;
}

function intArg(name, dflt, min, max) {
  const text = args[name] ?? String(dflt);
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) fail(`--${name} must be in [${min}, ${max}]`);
  return value;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}
