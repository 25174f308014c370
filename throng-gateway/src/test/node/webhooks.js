'use strict';
// Webhooks (WebhooksIT): pusher-js does what makes the gateway send them, the Java test's receiver records every
// request, and the pusher SDK's own webhook() validates each one (key, signature, content type) and reads its events.

const fs = require('fs');
const { run, at, until, sleep } = require('./lib');

run({
  // Subscribes, leaves after a moment; reports when it left.
  async occupyAndLeave(w) {
    const client = await w.connected('hooks');
    await w.subscribed(client, 'wh-room');
    await sleep(200);
    at('leaving');
    const leftAt = Date.now();
    client.unsubscribe('wh-room');
    await sleep(100);
    return { leftAt };
  },

  // A connection leaves and another comes back within the vacancy delay; the second leaves for good later.
  async quickReconnect(w) {
    const first = await w.connected('hooks');
    await w.subscribed(first, 'wh-quick');
    await sleep(200);
    at('disconnecting and reconnecting within the delay');
    first.disconnect();
    await sleep(w.config.withinDelayMs);
    const second = await w.connected('hooks');
    await w.subscribed(second, 'wh-quick');
    await sleep(w.config.afterDelayMs);
    at('leaving for good');
    const leftAt = Date.now();
    second.disconnect();
    await sleep(100);
    return { leftAt };
  },

  // Alice with two tabs, Bob (a numeric user_id) with one, all leaving.
  async presence(w) {
    const alice = { user_id: 'alice', user_info: { name: 'Alice' } };
    const tab1 = await w.connected('hooks', { presence: alice });
    const tab2 = await w.connected('hooks', { presence: alice });
    const bob = await w.connected('hooks', { presence: { user_id: 7 } });
    for (const c of [tab1, tab2, bob]) {
      await w.subscribed(c, 'presence-wh');
    }
    await sleep(200);
    at('leaving');
    tab1.disconnect();
    await sleep(100);
    tab2.disconnect();
    bob.disconnect();
    await sleep(100);
    return {};
  },

  async clientEvents(w) {
    const one = await w.connected('hooks', { presence: { user_id: 'carol' } });
    const two = await w.connected('hooks', { presence: { user_id: 'dave' } });
    const privateOne = await w.subscribed(one, 'private-wh');
    await w.subscribed(two, 'private-wh');
    const presenceOne = await w.subscribed(one, 'presence-wh-chat');
    await w.subscribed(two, 'presence-wh-chat');
    at('client events');
    privateOne.trigger('client-note', { on: 'private' });
    presenceOne.trigger('client-note', { on: 'presence' });
    await sleep(300);
    return { socketId: one.connection.socket_id };
  },

  // Two subscribers of an empty cache channel, one after the other.
  async cacheMiss(w) {
    const first = await w.connected('hooks');
    const ch = await w.subscribed(first, 'cache-wh');
    await until(() => ch.events.some((e) => e.event === 'pusher:cache_miss'), 'pusher:cache_miss');
    const second = await w.connected('hooks');
    await w.subscribed(second, 'cache-wh');
    await sleep(200);
    return {};
  },

  // A signed-in user (pusher-js subscribes it to its #server-to-user- channel), then an ordinary channel, both left.
  async signedIn(w) {
    const client = await w.connected('hooks', { user: { id: 'wh-user' } });
    client.signin();
    await until(() => client.user.serverToUserChannel && client.user.serverToUserChannel.subscribed, 'the signin');
    await w.subscribed(client, 'wh-after-signin');
    await sleep(200);
    client.disconnect();
    await sleep(100);
    return {};
  },

  // The app whose webhook endpoint fails at first; the subscriber stays until told to leave.
  async flaky(w) {
    const client = await w.connected('flaky');
    await w.subscribed(client, 'flaky-room');
    await sleep(w.config.stayMs);
    return {};
  },

  // Validates the recorded requests (a JSON file: [{app, headers, body}]) with the SDK of each one's app.
  async validate(w) {
    const requests = JSON.parse(fs.readFileSync(w.config.requestsFile, 'utf8'));
    return {
      requests: requests.map((r) => {
        const hook = w.sdk(r.app).webhook({ headers: r.headers, rawBody: r.body });
        const valid = hook.isValid();
        return {
          valid,
          contentType: r.headers['content-type'],
          key: r.headers['x-pusher-key'],
          events: valid ? hook.getEvents() : [],
          timeMs: valid ? hook.getTime().getTime() : null,
        };
      }),
    };
  },
});
