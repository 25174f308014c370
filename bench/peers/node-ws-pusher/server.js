'use strict';

// Reference peer for the fan-out benchmark: a minimal Pusher-protocol pub/sub server on Node's http and `ws`, one
// process, written as the ws README teaches broadcasting (a Set of sockets per channel, client.send(data) for each).
//
//   node server.js [PORT]        PORT also from $PORT; default 29005
//
// What it speaks (the same as bench/peers/bun-pusher):
//   ws://HOST:PORT/app/{key}     pusher:connection_established (activity_timeout 120), pusher:ping -> pusher:pong,
//                                pusher:subscribe / pusher:unsubscribe of public channels ->
//                                pusher_internal:subscription_succeeded; private-/presence- channels get a
//                                pusher:error (no auth here); an unknown key gets pusher:error 4001 and close 4001
//   POST /apps/{id}/events       {"name","channels"|"channel","data"} -> {"event","data","channel"} to each channel's
//                                subscribers; answers 200 {}. The request signature is NOT checked.
// No server heartbeat: Pusher clients send pusher:ping themselves.
//
// Environment: HOST (default 127.0.0.1, loopback only), APP_ID (app-id), APP_KEY (app-key).
// Prints `ready pid=<pid> port=<port>` once listening.

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] ?? process.env.PORT ?? '29005');
const host = process.env.HOST || '127.0.0.1';
const appId = process.env.APP_ID || 'app-id';
const appKey = process.env.APP_KEY || 'app-key';
const eventsPath = `/apps/${appId}/events`;
/** channel name -> Set of sockets */
const channels = new Map();

function socketId() {
  return `${crypto.randomInt(1e10)}.${crypto.randomInt(1e10)}`;
}

function channelOf(message) {
  let data = message.data;
  if (typeof data === 'string') {
    try { data = JSON.parse(data); } catch { return null; }
  }
  return data && typeof data.channel === 'string' ? data.channel : null;
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (req.method !== 'POST' || path !== eventsPath) return reply(res, 404, '{"error":"not found"}');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return reply(res, 400, '{"error":"bad json"}'); }
    const names = body.channels ?? (body.channel ? [body.channel] : []);
    if (typeof body.name !== 'string' || typeof body.data !== 'string' || names.length === 0 || names.length > 100) {
      return reply(res, 400, '{"error":"name, data and 1-100 channels are required"}');
    }
    for (const channel of names) {
      const subscribers = channels.get(channel);
      if (!subscribers) continue;
      const frame = JSON.stringify({ event: body.name, data: body.data, channel });
      for (const ws of subscribers) ws.send(frame);
    }
    reply(res, 200, '{}');
  });
});

const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const path = req.url.split('?')[0];
  if (!path.startsWith('/app/')) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, path.slice('/app/'.length)));
});

function onConnection(ws, key) {
  ws.on('error', console.error);
  if (key !== appKey) {
    ws.send(JSON.stringify({ event: 'pusher:error', data: { code: 4001, message: 'Application does not exist' } }));
    ws.close(4001, 'Application does not exist');
    return;
  }
  const mine = new Set();
  ws.send(JSON.stringify({
    event: 'pusher:connection_established',
    data: JSON.stringify({ socket_id: socketId(), activity_timeout: 120 }),
  }));
  ws.on('message', (text) => {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    switch (message.event) {
      case 'pusher:ping':
        ws.send('{"event":"pusher:pong","data":"{}"}');
        break;
      case 'pusher:subscribe': {
        const channel = channelOf(message);
        if (!channel) return;
        if (channel.startsWith('private-') || channel.startsWith('presence-')) {
          ws.send(JSON.stringify({ event: 'pusher:error', data: { code: null, message: 'Only public channels' } }));
          return;
        }
        let subscribers = channels.get(channel);
        if (!subscribers) channels.set(channel, (subscribers = new Set()));
        subscribers.add(ws);
        mine.add(channel);
        ws.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', data: '{}', channel }));
        break;
      }
      case 'pusher:unsubscribe': {
        const channel = channelOf(message);
        if (channel && mine.delete(channel)) leave(ws, channel);
        break;
      }
    }
  });
  ws.on('close', () => {
    for (const channel of mine) leave(ws, channel);
  });
}

function leave(ws, channel) {
  const subscribers = channels.get(channel);
  if (!subscribers) return;
  subscribers.delete(ws);
  if (subscribers.size === 0) channels.delete(channel);
}

server.listen(port, host, () => console.log(`ready pid=${process.pid} port=${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
