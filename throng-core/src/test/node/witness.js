'use strict';
// An independent client for Throng's integration tests: Node's `ws` runs one scenario against a server and prints
// one line of JSON with what it saw; the Java test (NodeWsWitnessIT) asserts on it. Payloads are never printed,
// only their sizes and whether they came back identical.
//
//   node witness.js ws://127.0.0.1:PORT/ SCENARIO [SIZES [KINDS]]
//
// SIZES (echo and deflate): comma-separated message sizes in bytes; KINDS: "text", "binary" or "text,binary". Exit code 0 with {"ok":true,...} or 1 with
// {"ok":false,"error":...}. Every scenario gives up after 9 s.

const WebSocket = require('ws');

const [url, scenario, sizeList, kindList] = process.argv.slice(2);
const sizes = (sizeList || '0,125,126,65535,65536').split(',').map(Number);
const kinds = (kindList || 'text,binary').split(',');

// What the scenario was doing, and the last error event of the socket, reported when it fails.
let step = 'starting';
let socketError = null;

function finish(result) {
  process.stdout.write(JSON.stringify(Object.assign({ ok: true, scenario }, result)) + '\n');
  process.exit(0);
}

function fail(error) {
  const message = String(error && error.stack || error);
  const reported = { ok: false, scenario, step, error: message, socketError };
  process.stdout.write(JSON.stringify(reported) + '\n');
  process.exit(1);
}

setTimeout(() => fail('scenario timed out after 9 s'), 9000).unref();
process.on('uncaughtException', fail);

function open(options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.setMaxListeners(0); // nextMessage adds a close listener per awaited message
    let response = {};
    ws.on('upgrade', (res) => { response = res.headers; });
    ws.once('open', () => resolve({ ws, response }));
    ws.once('error', reject);
    ws.on('error', (e) => { socketError = String(e && e.message || e); });
  });
}

function nextMessage(ws) {
  return new Promise((resolve, reject) => {
    ws.once('message', (data, isBinary) => resolve({ data, isBinary }));
    ws.once('close', (code) => reject(new Error('closed with ' + code + ' while waiting for a message')));
  });
}

function closed(ws) {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function textOf(size) {
  // Compressible but not trivial: a repeated sentence with a counter.
  let s = '';
  for (let i = 0; s.length < size; i++) s += 'message ' + i + ' of a witness; ';
  return s.slice(0, size);
}

function binaryOf(size) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31) & 0xff;
  return b;
}

/** Sends `payload`, waits for the echo and describes it, with the bytes read off the socket for it. */
async function echo(ws, payload, options) {
  step = 'echo of ' + (typeof payload === 'string' ? 'text' : 'binary') + ' of ' + payload.length + ' bytes';
  const before = ws._socket.bytesRead;
  const reply = nextMessage(ws);
  ws.send(payload, options);
  const { data, isBinary } = await reply;
  const sentBinary = typeof payload !== 'string';
  const expected = sentBinary ? payload : Buffer.from(payload, 'utf8');
  return {
    type: sentBinary ? 'binary' : 'text',
    size: expected.length,
    echoedSize: data.length,
    binaryFlag: isBinary,
    identical: isBinary === sentBinary && Buffer.compare(data, expected) === 0,
    wireBytes: ws._socket.bytesRead - before,
  };
}

const scenarios = {
  // Text and binary of every length class, without compression.
  async echo() {
    const { ws, response } = await open({ perMessageDeflate: false });
    const results = [];
    for (const size of sizes) {
      if (kinds.includes('text')) results.push(await echo(ws, textOf(size)));
      if (kinds.includes('binary')) results.push(await echo(ws, binaryOf(size)));
    }
    step = 'closing';
    const done = closed(ws);
    ws.close(1000);
    return { extensionsHeader: response['sec-websocket-extensions'] || null, results, close: await done };
  },

  // permessage-deflate with every message compressed (threshold 0), a fragmented compressed message included.
  async deflate() {
    const { ws, response } = await open({ perMessageDeflate: { threshold: 0 } });
    const results = [];
    for (const size of sizes) {
      results.push(await echo(ws, textOf(size)));
      results.push(await echo(ws, binaryOf(size)));
    }
    // One message in three fragments; ws compresses them as one deflate stream, RSV1 on the first only.
    step = 'fragmented compressed echo';
    const parts = [textOf(30000), textOf(20000), textOf(10000)];
    const before = ws._socket.bytesRead;
    const reply = nextMessage(ws);
    ws.send(parts[0], { fin: false });
    ws.send(parts[1], { fin: false });
    ws.send(parts[2], { fin: true });
    const { data, isBinary } = await reply;
    const whole = Buffer.from(parts.join(''), 'utf8');
    const fragmented = {
      size: whole.length,
      echoedSize: data.length,
      identical: !isBinary && Buffer.compare(data, whole) === 0,
      wireBytes: ws._socket.bytesRead - before,
    };
    step = 'closing';
    const done = closed(ws);
    ws.close(1000);
    const close = await done;
    return {
      close,
      extensions: ws.extensions,
      extensionsHeader: response['sec-websocket-extensions'] || null,
      results,
      fragmented,
    };
  },

  // The client starts the closing handshake; the server's handler sees the code and reason.
  async 'close-client'() {
    const { ws } = await open({ perMessageDeflate: false });
    const done = closed(ws);
    ws.close(4001, 'client bye');
    return { close: await done };
  },

  // The server starts it: the handler closes with 1000 'server bye' when told to.
  async 'close-server'() {
    const { ws } = await open({ perMessageDeflate: false });
    const done = closed(ws);
    ws.send('close-me');
    return { close: await done };
  },

  // A ping from the client gets a pong with the same payload.
  async ping() {
    const { ws } = await open({ perMessageDeflate: false });
    const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
    ws.ping('are you there?');
    const payload = await pong;
    ws.close(1000);
    await closed(ws);
    return { pong: payload };
  },
};

if (!scenarios[scenario]) {
  fail('unknown scenario ' + scenario + '; known: ' + Object.keys(scenarios).join(', '));
} else {
  scenarios[scenario]().then(finish, fail);
}
