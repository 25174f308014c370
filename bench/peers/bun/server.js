// Reference peer: Bun.serve with its built-in WebSocket server (uWebSockets underneath), echoing.
// One process per core is started by run.sh; `reusePort: true` (SO_REUSEPORT) lets them all bind the
// same port and the kernel spreads incoming connections across them.
//
//   bun server.js [PORT]         PORT also from $PORT; default 29002
//
// Environment:
//   HOST                    bind address; default 127.0.0.1 because this box only serves loopback
//   PING_INTERVAL_SECONDS   seconds of silence before the server pings; default 30, as the ws peer.
//                           Bun has no ping interval of its own: with `sendPings` it pings when a socket
//                           has been silent for idleTimeout - margin seconds and closes it if nothing
//                           (e.g. the pong) arrives within the margin (4, 8 or 16 s; see idleTimeoutFor)
//
// Prints `ready pid=<pid> port=<port>` once listening; bench/peers/compare.sh counts those lines.

const port = intFrom(process.argv[2] ?? process.env.PORT ?? "29002", "PORT", 1, 65535);
const hostname = process.env.HOST || "127.0.0.1";
const pingIntervalSeconds = intFrom(process.env.PING_INTERVAL_SECONDS ?? "30", "PING_INTERVAL_SECONDS", 1, 900);
const idleTimeout = idleTimeoutFor(pingIntervalSeconds);

function intFrom(text, name, min, max) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer in [${min}, ${max}], got '${text}'`);
    process.exit(2);
  }
  return value;
}

// uWebSockets (WebSocketContextData::calculateIdleTimeoutComponents) splits idleTimeout T into a silence
// period T - m, after which it pings, and a margin m in {4, 8, 16} for the answer: m starts at 4 and
// doubles while T - 2m >= 2m and m < 16. Pick the T whose silence period is the wanted ping interval:
// 30 s -> idleTimeout 46 (ping after 30 s of silence, close 16 s later without a pong).
function idleTimeoutFor(interval) {
  for (let t = interval + 4; t <= interval + 16; t++) {
    let margin = 4;
    while (t - margin * 2 >= margin * 2 && margin < 16) margin <<= 1;
    if (t - margin === interval) return t;
  }
  throw new Error(`no idleTimeout gives a ${interval}s ping interval`);
}

const server = Bun.serve({
  hostname,
  port,
  reusePort: true,
  fetch(req, server) {
    if (server.upgrade(req)) return undefined;
    return new Response("WebSocket only\n", { status: 426 });
  },
  websocket: {
    idleTimeout,
    sendPings: true, // Bun's default, stated because the heartbeat is what we compare
    perMessageDeflate: false, // Bun's default; the other peers do not compress either
    message(ws, message) {
      ws.send(message); // a string goes back as text, a buffer as binary
    },
  },
});

console.log(`ready pid=${process.pid} port=${server.port} idleTimeout=${idleTimeout}s`);
