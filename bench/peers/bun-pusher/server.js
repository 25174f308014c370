// Reference peer for the fan-out benchmark: a minimal Pusher-protocol pub/sub server on Bun.serve, built the way
// Bun teaches pub/sub (ws.subscribe(topic) + server.publish(topic, message): uWebSockets' topic tree underneath,
// each message encoded once per publish). One process.
//
//   bun server.js [PORT]         PORT also from $PORT; default 29004
//
// What it speaks (enough for pusher-js and `throng bench --scenario subscribe`, nothing more):
//   ws://HOST:PORT/app/{key}     pusher:connection_established (activity_timeout 120), pusher:ping -> pusher:pong,
//                                pusher:subscribe / pusher:unsubscribe of public channels ->
//                                pusher_internal:subscription_succeeded; private-/presence- channels get a
//                                pusher:error (no auth here); an unknown key gets pusher:error 4001 and close 4001
//   POST /apps/{id}/events       {"name","channels"|"channel","data"} -> {"event","data","channel"} to each channel's
//                                subscribers; answers 200 {}. The request signature is NOT checked (a benchmark peer
//                                on loopback; Soketi and Throng check it)
//
// Environment: HOST (default 127.0.0.1, loopback only), APP_ID (app-id), APP_KEY (app-key).
// Prints `ready pid=<pid> port=<port>` once listening.

const port = Number(process.argv[2] ?? process.env.PORT ?? "29004");
const hostname = process.env.HOST || "127.0.0.1";
const appId = process.env.APP_ID || "app-id";
const appKey = process.env.APP_KEY || "app-key";
const eventsPath = `/apps/${appId}/events`;

function socketId() {
  const part = () => Math.floor(Math.random() * 1e10);
  return `${part()}.${part()}`;
}

function channelOf(message) {
  let data = message.data;
  if (typeof data === "string") {
    try { data = JSON.parse(data); } catch { return null; }
  }
  return data && typeof data.channel === "string" ? data.channel : null;
}

const server = Bun.serve({
  hostname,
  port,
  async fetch(req, server) {
    const url = new URL(req.url);
    if (url.pathname.startsWith("/app/")) {
      const key = url.pathname.slice("/app/".length);
      if (server.upgrade(req, { data: { key } })) return undefined;
      return new Response("WebSocket only\n", { status: 426 });
    }
    if (req.method === "POST" && url.pathname === eventsPath) {
      let body;
      try { body = await req.json(); } catch { return new Response('{"error":"bad json"}', { status: 400 }); }
      const channels = body.channels ?? (body.channel ? [body.channel] : []);
      if (typeof body.name !== "string" || typeof body.data !== "string" || channels.length === 0
        || channels.length > 100) {
        return new Response('{"error":"name, data and 1-100 channels are required"}', { status: 400 });
      }
      for (const channel of channels) {
        server.publish(channel, JSON.stringify({ event: body.name, data: body.data, channel }));
      }
      return new Response("{}", { headers: { "Content-Type": "application/json" } });
    }
    return new Response("not found\n", { status: 404 });
  },
  websocket: {
    idleTimeout: 120, // Bun's default; with sendPings (default on) it pings a silent socket before closing it
    perMessageDeflate: false,
    open(ws) {
      if (ws.data.key !== appKey) {
        ws.send(JSON.stringify({ event: "pusher:error", data: { code: 4001, message: "Application does not exist" } }));
        ws.close(4001, "Application does not exist");
        return;
      }
      ws.send(JSON.stringify({
        event: "pusher:connection_established",
        data: JSON.stringify({ socket_id: socketId(), activity_timeout: 120 }),
      }));
    },
    message(ws, text) {
      let message;
      try { message = JSON.parse(text); } catch { return; }
      switch (message.event) {
        case "pusher:ping":
          ws.send('{"event":"pusher:pong","data":"{}"}');
          break;
        case "pusher:subscribe": {
          const channel = channelOf(message);
          if (!channel) return;
          if (channel.startsWith("private-") || channel.startsWith("presence-")) {
            ws.send(JSON.stringify({ event: "pusher:error", data: { code: null, message: "Only public channels" } }));
            return;
          }
          ws.subscribe(channel);
          ws.send(JSON.stringify({ event: "pusher_internal:subscription_succeeded", data: "{}", channel }));
          break;
        }
        case "pusher:unsubscribe": {
          const channel = channelOf(message);
          if (channel) ws.unsubscribe(channel);
          break;
        }
      }
    },
  },
});

console.log(`ready pid=${process.pid} port=${server.port}`);
