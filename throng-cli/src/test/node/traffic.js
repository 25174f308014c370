'use strict';
// Traffic from independent clients (Node's `ws`) against a real `throng serve`, for the CLI's integration tests
// (TrafficIT). It prints one line of JSON with what it saw; the Java test asserts on it.
//
//   node traffic.js ws://127.0.0.1:PORT/ burst CLIENTS MESSAGES SIZE KIND [FRAGMENT]
//
// burst: CLIENTS connect at once; each sends MESSAGES messages of SIZE bytes back to back (KIND: binary or text;
// random content, different for every message) and waits for every echo, compared by SHA-1. FRAGMENT > 0 sends each
// message in frames of FRAGMENT bytes (uncompressed). Meanwhile a probe connection echoes 16 bytes every 50 ms, a
// fresh connection is opened, echoes once and closed every 250 ms, and GET /healthz is asked every 250 ms. Gives up
// after TIMEOUT_S (default 120) seconds.

const WebSocket = require('ws');
const crypto = require('crypto');
const http = require('http');

const [url, scenario, ...rest] = process.argv.slice(2);
const timeoutSeconds = Number(process.env.TIMEOUT_S || 120);

function out(result) {
  process.stdout.write(JSON.stringify(Object.assign({ scenario }, result)) + '\n');
}

setTimeout(() => { out({ ok: false, error: 'timed out after ' + timeoutSeconds + ' s' }); process.exit(1); },
  timeoutSeconds * 1000).unref();
process.on('uncaughtException', (e) => { out({ ok: false, error: String(e && e.stack || e) }); process.exit(1); });

function sha1(data) {
  return crypto.createHash('sha1').update(data).digest('hex');
}

function randomText(size) {
  // Random base64: ASCII, valid UTF-8, barely compressible; made natively, so this process's event loop (which also
  // times the probe and the health checks) is not held up by a JavaScript loop over megabytes.
  return crypto.randomBytes(Math.ceil(size * 3 / 4) + 3).toString('base64').slice(0, size);
}

function open(options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, Object.assign({ maxPayload: 256 * 1024 * 1024 }, options));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One client of the burst: resolves with {echoed, mismatched, closeCode}. */
async function burstClient(messages, size, kind, fragment) {
  let ws;
  try {
    ws = await open(fragment > 0 || process.env.DEFLATE === '0' ? { perMessageDeflate: false } : {});
  } catch (e) {
    return { echoed: 0, mismatched: 0, closeCode: 'connect: ' + e.message };
  }
  const expected = [];
  return new Promise((resolve) => {
    let echoed = 0;
    let mismatched = 0;
    ws.on('message', (data, isBinary) => {
      const digest = sha1(isBinary ? data : Buffer.from(data.toString('utf8'), 'utf8'));
      if (digest === expected[echoed] && isBinary === (kind === 'binary')) echoed++; else { mismatched++; echoed++; }
      if (echoed === messages) ws.close(1000);
    });
    ws.on('close', (code) => resolve({ echoed: echoed - mismatched, mismatched, closeCode: code }));
    ws.on('error', () => {});
    for (let m = 0; m < messages; m++) {
      const payload = kind === 'binary' ? crypto.randomBytes(size) : randomText(size);
      expected.push(sha1(kind === 'binary' ? payload : Buffer.from(payload, 'utf8')));
      if (fragment > 0) {
        const buf = kind === 'binary' ? payload : Buffer.from(payload, 'utf8');
        for (let at = 0; at < buf.length; at += fragment) {
          const end = Math.min(buf.length, at + fragment);
          ws.send(buf.subarray(at, end), { binary: kind === 'binary', fin: end === buf.length, compress: false });
        }
      } else {
        ws.send(payload, { binary: kind === 'binary' });
      }
    }
  });
}

/** Echoes 16 bytes every 50 ms until stopped; records round trips and failures. */
function probe() {
  const state = { sent: 0, received: 0, rtts: [], failures: 0 };
  let ws = null;
  let pending = null;
  let timer = null;
  let stop;
  const done = new Promise((resolve) => { stop = () => { clearInterval(timer); timer = null; if (ws) ws.close(); resolve(); }; });
  open({}).then((socket) => {
    ws = socket;
    ws.on('message', () => {
      if (pending !== null) { state.rtts.push(Date.now() - pending); state.received++; pending = null; }
    });
    ws.on('close', () => { if (timer) state.failures++; });
    timer = setInterval(() => {
      if (pending !== null) return; // still waiting: counted by the round trip when it comes
      pending = Date.now();
      state.sent++;
      ws.send('probe-' + String(state.sent).padStart(10, '0'));
    }, 50);
  }, () => { state.failures++; });
  return { state, done, stop: () => stop() };
}

/** Opens a fresh connection every 250 ms, echoes once and closes; counts failures. */
function freshClients() {
  const state = { tried: 0, ok: 0, failed: 0 };
  const timer = setInterval(async () => {
    state.tried++;
    try {
      const ws = await open({});
      const echoed = new Promise((resolve, reject) => {
        ws.once('message', resolve);
        ws.once('close', reject);
        setTimeout(() => reject(new Error('no echo in 5 s')), 5000).unref();
      });
      ws.send('fresh');
      await echoed;
      ws.close(1000);
      state.ok++;
    } catch (e) {
      state.failed++;
    }
  }, 250);
  return { state, stop: () => clearInterval(timer) };
}

/** GET /healthz every 250 ms; counts answers by status. */
function healthChecks() {
  const base = new URL(url);
  const state = { checks: 0, statuses: {} };
  const timer = setInterval(() => {
    state.checks++;
    const req = http.get({ host: base.hostname, port: base.port, path: '/healthz', timeout: 2000 }, (res) => {
      state.statuses[res.statusCode] = (state.statuses[res.statusCode] || 0) + 1;
      res.resume();
    });
    req.on('timeout', () => { state.statuses.timeout = (state.statuses.timeout || 0) + 1; req.destroy(); });
    req.on('error', () => { state.statuses.error = (state.statuses.error || 0) + 1; });
  }, 250);
  return { state, stop: () => clearInterval(timer) };
}

/**
 * The probe, the fresh clients and the health checks, in a child process of their own: the burst keeps this
 * process's event loop busy for seconds at a time (framing, masking and hashing megabytes), which would delay their
 * timers and pass for the server's slowness.
 */
function monitor() {
  const p = probe();
  const fresh = freshClients();
  const health = healthChecks();
  process.on('message', async () => {
    p.stop();
    fresh.stop();
    health.stop();
    await p.done;
    process.send({ probe: p.state, fresh: fresh.state, healthz: health.state }, () => process.exit(0));
  });
  process.send('started');
}

function startMonitor() {
  const child = require('child_process').fork(__filename, [url, 'monitor']);
  const started = new Promise((resolve) => child.once('message', resolve));
  const report = () => new Promise((resolve) => {
    child.once('message', resolve);
    child.send('stop');
  });
  return { started, report };
}

async function burst(clients, messages, size, kind, fragment) {
  const monitoring = startMonitor();
  await monitoring.started;
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: clients }, () => burstClient(messages, size, kind, fragment)));
  const seconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 300));
  const seen = await monitoring.report();
  const p = { state: seen.probe };
  const fresh = { state: seen.fresh };
  const health = { state: seen.healthz };
  const closes = {};
  for (const r of results) closes[r.closeCode] = (closes[r.closeCode] || 0) + 1;
  const rtts = p.state.rtts.slice().sort((a, b) => a - b);
  out({
    ok: true,
    clients,
    expected: clients * messages,
    echoed: results.reduce((n, r) => n + r.echoed, 0),
    mismatched: results.reduce((n, r) => n + r.mismatched, 0),
    closes,
    seconds,
    probe: {
      sent: p.state.sent, received: p.state.received, failures: p.state.failures,
      p50: rtts[Math.floor(rtts.length / 2)] || 0, p99: rtts[Math.floor(rtts.length * 0.99)] || 0,
      max: rtts[rtts.length - 1] || 0,
    },
    fresh: fresh.state,
    healthz: health.state,
  });
  process.exit(0);
}

if (scenario === 'monitor') {
  monitor();
} else if (scenario === 'burst') {
  const [clients, messages, size, kind, fragment] = rest;
  burst(Number(clients), Number(messages), Number(size), kind || 'binary', Number(fragment || 0));
} else {
  out({ ok: false, error: 'unknown scenario ' + scenario });
  process.exit(1);
}
