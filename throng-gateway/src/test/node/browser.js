'use strict';
// pusher-js in a real browser (ChromiumPusherJsIT): the system's Chromium, driven headless by playwright-core (which
// downloads no browser), opens a page from a tiny HTTP server here. The page loads pusher-js's browser build from
// node_modules, subscribes to a private channel authorized by this server's auth endpoint (the pusher SDK signs),
// and reports what it receives by posting to this server; the SDK triggers the event.

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { chromium } = require('playwright-core');
const { run, at, until } = require('./lib');

const PAGE = (key, wsPort, channel) => `<!doctype html>
<html><head><meta charset="utf-8"><title>waiting</title>
<script src="/pusher.min.js"></script></head>
<body><script>
  const report = (what) => fetch('/report', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(what) });
  const pusher = new Pusher(${JSON.stringify(key)}, {
    wsHost: '127.0.0.1', wsPort: ${wsPort}, forceTLS: false, enabledTransports: ['ws'], disableStats: true,
    cluster: 'throng', channelAuthorization: { endpoint: '/pusher/auth', transport: 'ajax' },
  });
  pusher.connection.bind('error', (e) => report({ kind: 'error', error: JSON.parse(JSON.stringify(e)) }));
  const channel = pusher.subscribe(${JSON.stringify(channel)});
  channel.bind('pusher:subscription_succeeded', () => {
    document.title = 'subscribed';
    report({ kind: 'subscribed', socketId: pusher.connection.socket_id, state: pusher.connection.state,
      userAgent: navigator.userAgent });
  });
  channel.bind('pusher:subscription_error', (e) => report({ kind: 'subscription_error', error: e }));
  channel.bind('greeting', (data) => {
    document.title = 'greeted: ' + data.text;
    report({ kind: 'event', data });
  });
</script></body></html>`;

run({
  async privateChannelInChromium(w) {
    const app = w.app('main');
    const sdk = w.sdk('main');
    const channel = 'private-browser';
    const reports = [];
    const authRequests = [];
    const pusherJs = fs.readFileSync(require.resolve('pusher-js/dist/web/pusher.min.js'));

    at('serving the page, pusher-js and the auth endpoint');
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(PAGE(app.key, w.port, channel));
        } else if (req.method === 'GET' && req.url === '/pusher.min.js') {
          res.writeHead(200, { 'content-type': 'application/javascript' });
          res.end(pusherJs);
        } else if (req.method === 'POST' && req.url === '/pusher/auth') {
          const form = new URLSearchParams(body); // pusher-js posts socket_id and channel_name, form-encoded
          authRequests.push({ socketId: form.get('socket_id'), channelName: form.get('channel_name') });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(sdk.authorizeChannel(form.get('socket_id'), form.get('channel_name'))));
        } else if (req.method === 'POST' && req.url === '/report') {
          reports.push(JSON.parse(body));
          res.writeHead(204);
          res.end();
        } else {
          res.writeHead(404);
          res.end();
        }
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

    at('launching Chromium');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'throng-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: w.config.chromium,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] || await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      at('opening the page');
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await until(() => reports.some((r) => r.kind === 'subscribed' || r.kind === 'subscription_error'),
        'the page to subscribe', 10000);
      at('triggering through the SDK');
      await sdk.trigger(channel, 'greeting', { text: 'hello, browser' });
      await until(() => reports.some((r) => r.kind === 'event'), 'the page to get the event', 10000);
      return {
        reports,
        authRequests,
        title: await page.title(),
        pageErrors,
      };
    } finally {
      await context.close();
      server.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  },
});
