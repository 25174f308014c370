'use strict';
// The REST API through the pusher server SDK (PusherSdkRestIT): every endpoint it calls, with pusher-js subscribers
// watching what is delivered. Requests the SDK would not make (a stale timestamp, a body other than the one signed)
// are signed with the SDK's own createSignedQueryString and sent with Node's fetch.

const { run, at, until, sleep } = require('./lib');

const named = (channel, event) => channel.events.filter((e) => e.event === event);
const has = (channel, event, n = 1) => named(channel, event).length >= n;
const names = (channel) => channel.events.map((e) => e.event);

/**
 * What a call answered, whether the SDK resolved or rejected: {status, body, text}, the body parsed when it is JSON
 * and as sent in text (whose numbers stay integers in Java).
 */
async function outcome(call) {
  try {
    const res = await call();
    const text = await res.text();
    return { status: res.status, body: parse(text), text, contentType: res.headers.get('content-type') };
  } catch (e) {
    if (e.status === undefined) {
      throw e;
    }
    return { status: e.status, body: parse(e.body), text: e.body };
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return text;
  }
}

/** {@code sdk.createSignedQueryString} as if the clock read {@code offsetSeconds} later (negative: earlier). */
function signedAt(sdk, offsetSeconds, request) {
  const realNow = Date.now;
  Date.now = () => realNow() + offsetSeconds * 1000;
  try {
    return sdk.createSignedQueryString(request);
  } finally {
    Date.now = realNow;
  }
}

/** POSTs {@code body} to {@code path} of the gateway with {@code query}; {status, body}. */
async function post(w, path, query, body) {
  const res = await fetch(`http://127.0.0.1:${w.port}${path}?${query}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: parse(await res.text()) };
}

/** Waits until the clock is early in a second, so that a request signed now arrives within the same second. */
async function startOfASecond() {
  while (Date.now() % 1000 > 100) {
    await sleep(5);
  }
}

run({
  async triggerOne(w) {
    const sdk = w.sdk('main');
    const sub = await w.subscribed(await w.connected('main'), 'rest-one');
    at('trigger');
    const answer = await outcome(() => sdk.trigger('rest-one', 'single', { a: 1 }));
    await until(() => has(sub, 'single'), 'the event');
    return { answer, received: named(sub, 'single').map((e) => e.data) };
  },

  async triggerSeveral(w) {
    const sdk = w.sdk('main');
    const channels = ['rest-a', 'rest-b', 'presence-rest'];
    at('two clients on three channels');
    const excludedClient = await w.connected('main', { presence: { user_id: 'excluded' } });
    const otherClient = await w.connected('main', { presence: { user_id: 'other' } });
    const excluded = [];
    const other = [];
    for (const name of channels) {
      excluded.push(await w.subscribed(excludedClient, name));
      other.push(await w.subscribed(otherClient, name));
    }
    at('trigger to three channels excluding one socket');
    const answer = await outcome(() => sdk.trigger(channels, 'multi', { m: true }, {
      socket_id: excludedClient.connection.socket_id, info: 'subscription_count,user_count',
    }));
    await until(() => other.every((ch) => has(ch, 'multi')), 'the event on every channel');
    at('the same without exclusion');
    await sdk.trigger(channels, 'after', {});
    await until(() => excluded.every((ch) => has(ch, 'after')), 'the event after');
    return {
      answer,
      excludedSaw: excluded.map(names),
      otherSaw: other.map(names),
    };
  },

  async triggerBatch(w) {
    const sdk = w.sdk('main');
    const excludedClient = await w.connected('main', { presence: { user_id: 'excluded' } });
    const otherClient = await w.connected('main', { presence: { user_id: 'other' } });
    const channels = ['rest-batch-a', 'rest-batch-b', 'presence-batch'];
    const excluded = [];
    const other = [];
    for (const name of channels) {
      excluded.push(await w.subscribed(excludedClient, name));
      other.push(await w.subscribed(otherClient, name));
    }
    at('triggerBatch');
    const answer = await outcome(() => sdk.triggerBatch([
      { channel: 'rest-batch-a', name: 'b1', data: { i: 1 } },
      { channel: 'rest-batch-b', name: 'b2', data: { i: 2 }, info: 'subscription_count' },
      { channel: 'presence-batch', name: 'b3', data: { i: 3 }, info: 'user_count',
        socket_id: excludedClient.connection.socket_id },
    ]));
    await until(() => has(other[0], 'b1') && has(other[1], 'b2') && has(other[2], 'b3'), 'every event');
    await sdk.trigger(channels, 'after', {});
    await until(() => excluded.every((ch) => has(ch, 'after')) && other.every((ch) => has(ch, 'after')), 'after');
    return {
      answer,
      excludedSaw: excluded.map(names),
      otherSaw: other.map(names),
      dataOfB2: named(other[1], 'b2').map((e) => e.data),
    };
  },

  async channels(w) {
    const sdk = w.sdk('main');
    at('occupying channels');
    const one = await w.connected('main', { presence: { user_id: 'u-a' }, user: { id: 'u-a' } });
    const two = await w.connected('main', { presence: { user_id: 'u-a' } });
    const three = await w.connected('main', { presence: { user_id: 'u-b' } });
    await w.subscribed(one, 'rest-list-1');
    await w.subscribed(two, 'rest-list-2');
    for (const c of [one, two, three]) {
      await w.subscribed(c, 'presence-list');
    }
    one.signin();
    await until(() => one.user.serverToUserChannel && one.user.serverToUserChannel.subscribed, 'the signin');
    const get = (path, params) => outcome(() => sdk.get({ path, params }));
    at('listing');
    return {
      all: await get('/channels'),
      byPrefix: await get('/channels', { filter_by_prefix: 'rest-list-' }),
      presenceWithUserCount: await get('/channels', { filter_by_prefix: 'presence-list', info: 'user_count' }),
      userCountWithoutPresencePrefix: await get('/channels', { info: 'user_count' }),
      presenceInfo: await get('/channels/presence-list', { info: 'user_count,subscription_count' }),
      publicInfo: await get('/channels/rest-list-1', { info: 'subscription_count' }),
      vacantInfo: await get('/channels/rest-nobody-here'),
      userCountOfPublic: await get('/channels/rest-list-1', { info: 'user_count' }),
      users: await get('/channels/presence-list/users'),
      usersOfPublic: await get('/channels/rest-list-1/users'),
    };
  },

  async terminate(w) {
    const sdk = w.sdk('main');
    return { answer: await outcome(() => sdk.terminateUserConnections('nobody-signed-in')) };
  },

  async disabledAndUnknownApps(w) {
    const disabled = await outcome(() => w.sdk('disabled').trigger('rest-off', 'ev', {}));
    const disabledGet = await outcome(() => w.sdk('disabled').get({ path: '/channels' }));
    const unknown = await outcome(() => w.sdk('main', { appId: 'no-such-app' }).trigger('rest-x', 'ev', {}));
    return { disabled, disabledGet, unknown };
  },

  async badSignatures(w) {
    const sdk = w.sdk('main');
    const app = w.app('main');
    const subscriber = await w.connected('main', { user: { id: 'guarded-user' } });
    const userEvents = [];
    subscriber.user.bind_global((event) => userEvents.push(event));
    subscriber.signin();
    await until(() => subscriber.user.serverToUserChannel && subscriber.user.serverToUserChannel.subscribed,
      'the signin');
    const sub = await w.subscribed(subscriber, 'presence-guarded');
    at('a wrong secret, on every endpoint');
    const wrong = w.sdk('main', { secret: 'not-the-apps-secret' });
    const wrongSecret = {
      trigger: await outcome(() => wrong.trigger('presence-guarded', 'forged', {})),
      triggerBatch: await outcome(() => wrong.triggerBatch([
        { channel: 'presence-guarded', name: 'forged', data: {} },
      ])),
      sendToUser: await outcome(() => wrong.sendToUser('guarded-user', 'forged', {})),
      channels: await outcome(() => wrong.get({ path: '/channels' })),
      channel: await outcome(() => wrong.get({ path: '/channels/presence-guarded', params: { info: 'user_count' } })),
      users: await outcome(() => wrong.get({ path: '/channels/presence-guarded/users' })),
      terminate: await outcome(() => wrong.terminateUserConnections('guarded-user')),
    };
    at("another app's key");
    const otherKey = w.sdk('main', { key: w.app('other').key, secret: w.app('other').secret });
    const otherKeyTrigger = await outcome(() => otherKey.trigger('presence-guarded', 'forged', {}));
    at('a body other than the one signed');
    const path = `/apps/${app.id}/events`;
    const signedBody = JSON.stringify({ name: 'signed', channels: ['presence-guarded'], data: '{}' });
    const query = sdk.createSignedQueryString({ method: 'POST', path, body: signedBody });
    const otherBody = await post(w, path, query,
      JSON.stringify({ name: 'forged', channels: ['presence-guarded'], data: '{}' }));
    at('no signature at all');
    const unsigned = await post(w, path, '', signedBody);
    at('the barrier');
    await sdk.trigger('presence-guarded', 'barrier', {});
    // (a forged termination that went through would close the subscriber before the barrier: reported, not awaited)
    await until(() => has(sub, 'barrier') || subscriber.connection.state !== 'connected', 'the barrier event');
    return {
      wrongSecret,
      otherKeyTrigger,
      otherBody,
      unsigned,
      received: names(sub),
      receivedAsUser: userEvents,
      subscriberState: subscriber.connection.state,
    };
  },

  async timestamps(w) {
    const sdk = w.sdk('main');
    const app = w.app('main');
    const sub = await w.subscribed(await w.connected('main'), 'rest-clock');
    const path = `/apps/${app.id}/events`;
    const answers = {};
    for (const offset of [-601, -599, 599, 601]) {
      at(`signing ${offset} s away`);
      const body = JSON.stringify({ name: `at${offset}`, channels: ['rest-clock'], data: '{}' });
      await startOfASecond();
      answers[offset] = await post(w, path, signedAt(sdk, offset, { method: 'POST', path, body }), body);
    }
    await sdk.trigger('rest-clock', 'barrier', {});
    await until(() => has(sub, 'barrier'), 'the barrier event');
    return { answers, received: names(sub) };
  },

  async bodyLimit(w) {
    const sdk = w.sdk('main');
    const sub = await w.subscribed(await w.connected('main'), 'rest-big');
    at('10 KB exactly, 10 KB + 1, and 10 KB + 2 in two-byte characters');
    const atLimit = await outcome(() => sdk.trigger('rest-big', 'at-limit', 'x'.repeat(10240)));
    const overLimit = await outcome(() => sdk.trigger('rest-big', 'over-limit', 'x'.repeat(10241)));
    const overInBytes = await outcome(() => sdk.trigger('rest-big', 'over-in-bytes', '\u00e9'.repeat(5121)));
    at('a batch with one event over the limit');
    const batch = await outcome(() => sdk.triggerBatch([
      { channel: 'rest-big', name: 'batch-small', data: 'small' },
      { channel: 'rest-big', name: 'batch-big', data: 'x'.repeat(10241) },
    ]));
    await sdk.trigger('rest-big', 'barrier', {});
    await until(() => has(sub, 'barrier'), 'the barrier event');
    return {
      atLimit, overLimit, overInBytes, batch,
      received: names(sub),
      atLimitLength: named(sub, 'at-limit').map((e) => e.data.length),
    };
  },
});
