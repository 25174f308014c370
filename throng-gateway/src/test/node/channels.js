'use strict';
// pusher-js on every kind of channel, with the pusher SDK authorizing, publishing, signing users in and terminating
// them (PusherJsChannelsIT). Each scenario reports what pusher-js emitted; the Java test judges it.

const http = require('http');
const nacl = require('tweetnacl');
const naclUtil = require('tweetnacl-util');
const { run, at, until, sleep } = require('./lib');

/** What pusher-js emitted on a channel, without the subscription's own event. */
const named = (channel, event) => channel.events.filter((e) => e.event === event);
const has = (channel, event, n = 1) => named(channel, event).length >= n;

/**
 * Records {@code event} on {@code channel} with the metadata pusher-js passes to a listener of that event (its global
 * listeners get none): [{data, metadata}] on {@code channel.heard[event]}.
 */
function listen(channel, event) {
  channel.heard = channel.heard || {};
  channel.heard[event] = [];
  channel.bind(event, (data, metadata) => channel.heard[event].push({ data, metadata: metadata || null }));
}

/** Resolves once the gateway counts {@code count} subscriptions of {@code channel} (REST, through the SDK). */
async function subscriptions(sdk, channel, count) {
  let last;
  const deadline = Date.now() + 5000;
  for (;;) {
    const info = await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } }))
      .json();
    last = info.subscription_count;
    if (last === count) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${channel} kept ${last} subscriptions, expected ${count}`);
    }
    await sleep(20);
  }
}

function memberIds(members) {
  const ids = [];
  members.each((m) => ids.push(String(m.id)));
  return ids.sort();
}

/** A signed-in client: pusher-js's signin(), then its #server-to-user- channel subscribed. */
async function signedIn(w, user) {
  const client = await w.connected('main', { user });
  client.userEvents = [];
  client.user.bind_global((event, data) => client.userEvents.push({ event, data }));
  client.signin();
  await until(() => client.user.serverToUserChannel && client.user.serverToUserChannel.subscribed,
    `${user.id} to be signed in and subscribed to its server-to-user channel`);
  return client;
}

run({
  async publicChannel(w) {
    const sdk = w.sdk('main');
    at('subscribing two clients');
    const one = await w.subscribed(await w.connected('main'), 'news');
    const two = await w.subscribed(await w.connected('main'), 'news');
    at('triggering');
    await sdk.trigger('news', 'flash', { headline: 'witnessed' });
    await until(() => has(one, 'flash') && has(two, 'flash'), 'both subscribers to get the event');
    return { one: one.events, two: two.events };
  },

  async privateChannel(w) {
    const sdk = w.sdk('main');
    at('subscribing two clients, authorized by the SDK');
    const one = await w.subscribed(await w.connected('main'), 'private-room');
    const two = await w.subscribed(await w.connected('main'), 'private-room');
    at('triggering');
    await sdk.trigger('private-room', 'notice', { text: 'for members only' });
    await until(() => has(one, 'notice') && has(two, 'notice'), 'both subscribers to get the event');
    return { one: one.events, two: two.events };
  },

  async presence(w) {
    const sdk = w.sdk('main');
    const channel = 'presence-room';
    // Members as pusher-js hands them out, their ids as strings with their JSON type beside (the result's numbers
    // reach Java as doubles).
    const member = (m) => m && { id: String(m.id), idType: typeof m.id, info: m.info };
    const view = (c) => ({ count: c.members.count, ids: memberIds(c.members), me: member(c.members.me) });
    const added = (c) => named(c, 'pusher:member_added').map((e) => member(e.data));
    const removed = (c) => named(c, 'pusher:member_removed').map((e) => member(e.data));

    at('the observer joins');
    const observer = await w.connected('main', { presence: { user_id: 'observer', user_info: { name: 'Olive' } } });
    const obs = await w.subscribed(observer, channel);
    const observerFirst = view(obs);

    at('alice joins from a first tab');
    const alice = { user_id: 'alice', user_info: { name: 'Alice' } };
    const aliceTab1 = await w.connected('main', { presence: alice });
    await w.subscribed(aliceTab1, channel);
    await until(() => added(obs).length === 1, "alice's member_added");
    at('alice joins from a second tab');
    const aliceTab2 = await w.connected('main', { presence: alice });
    const tab2 = await w.subscribed(aliceTab2, channel);
    const secondTab = view(tab2);

    at('bob joins, with a numeric user_id');
    const bobClient = await w.connected('main', { presence: { user_id: 7, user_info: { name: 'Bob' } } });
    const bob = await w.subscribed(bobClient, channel);
    // A member_added for alice's second tab would have reached the observer before bob's (one channel, one order).
    await until(() => added(obs).length >= 2, "bob's member_added");
    const bobFirst = view(bob);
    const addedWhileJoining = added(obs);

    at('listing through the REST API');
    const users = await (await sdk.get({ path: `/channels/${channel}/users` })).json();
    const info = await (await sdk.get({ path: `/channels/${channel}`,
      params: { info: 'user_count,subscription_count' } })).json();

    at("alice's first tab leaves");
    aliceTab1.disconnect();
    await subscriptions(sdk, channel, 3);
    await sdk.trigger(channel, 'barrier', {});
    await until(() => has(obs, 'barrier'), 'the barrier event');
    const afterFirstTabLeft = { removed: removed(obs), count: obs.members.count };

    at("alice's second tab leaves");
    aliceTab2.unsubscribe(channel);
    await until(() => removed(obs).length >= 1, "alice's member_removed");
    at('bob leaves');
    bobClient.disconnect();
    await until(() => removed(obs).length >= 2, "bob's member_removed");
    return {
      observerFirst,
      secondTab,
      bobFirst,
      addedWhileJoining,
      users,
      info,
      afterFirstTabLeft,
      removed: removed(obs),
      countAtEnd: obs.members.count,
    };
  },

  // Presence without channel_data: pusher-js waits for its sign-in, the gateway takes the signed-in user as the member.
  async presenceAsTheSignedInUser(w) {
    const channel = 'presence-signed';
    const observer = await w.subscribed(await w.connected('main', { presence: { user_id: 'watcher' } }), channel);
    at('a signed-in client subscribes with an authorization that carries no channel_data');
    const client = await w.connected('main', { user: { id: 'sam', user_info: { name: 'Sam' } } });
    client.signin();
    const joined = await w.subscribed(client, channel);
    await until(() => has(observer, 'pusher:member_added'), "sam's member_added");
    const me = joined.members.me;
    return {
      added: named(observer, 'pusher:member_added').map((e) => e.data),
      me,
      count: joined.members.count,
      ids: memberIds(joined.members),
    };
  },

  async encrypted(w) {
    const sdk = w.sdk('main');
    const channel = 'private-encrypted-vault';
    at('pusher-js subscribes, with the shared secret from the SDK');
    const client = await w.connected('main');
    const vault = await w.subscribed(client, channel);
    at('two raw sockets subscribe (the gateway never needs the shared secret)');
    const sender = await w.raw(w.app('main').key);
    const receiver = await w.raw(w.app('main').key);
    for (const raw of [sender, receiver]) {
      const { auth } = sdk.authorizeChannel(raw.socketId, channel);
      raw.send({ event: 'pusher:subscribe', data: { auth, channel } });
      await raw.next('pusher_internal:subscription_succeeded');
    }
    at('the SDK triggers an encrypted event');
    const secret = { message: `only the ends can read this ${Math.random()}` };
    await sdk.trigger(channel, 'secret', secret);
    await until(() => has(vault, 'secret') && receiver.frames.some((f) => f.event === 'secret'), 'the event');
    const wire = receiver.frames.find((f) => f.event === 'secret');
    const payload = JSON.parse(wire.data);
    const opened = nacl.secretbox.open(naclUtil.decodeBase64(payload.ciphertext), naclUtil.decodeBase64(payload.nonce),
      sdk.channelSharedSecret(channel));

    at('pusher-js refuses a client event on the encrypted channel itself');
    let clientTrigger;
    try {
      clientTrigger = { returned: vault.trigger('client-leak', { plain: 'text' }) };
    } catch (e) {
      clientTrigger = { threw: `${e.constructor.name}: ${e.message}` };
    }
    at('the gateway refuses one sent raw');
    const before = sender.frames.length;
    sender.send({ event: 'client-leak', channel, data: { plain: 'text' } });
    const refusal = await sender.next('pusher:error', before);
    await sdk.trigger(channel, 'after', {});
    await until(() => receiver.frames.some((f) => f.event === 'after'), 'the event after the refused one');

    at('a REST event for an encrypted channel and another');
    let multi;
    try {
      await sdk.post({ path: '/events', body: { name: 'x', data: '{}', channels: [channel, 'news'] } });
      multi = { status: 200 };
    } catch (e) {
      multi = { status: e.status };
    }
    return {
      decrypted: named(vault, 'secret').map((e) => e.data),
      sent: secret,
      wireData: wire.data,
      wireOpensWithSharedSecret: opened !== null && naclUtil.encodeUTF8(opened) === JSON.stringify(secret),
      clientTrigger,
      refusal,
      receiverEvents: receiver.frames.map((f) => f.event),
      multiChannelStatus: multi.status,
    };
  },

  async cache(w) {
    const sdk = w.sdk('main');
    const channel = 'cache-prices';
    at('a first subscriber to the empty cache channel');
    const early = await w.subscribed(await w.connected('main'), channel);
    await until(() => has(early, 'pusher:cache_miss'), 'pusher:cache_miss');
    at('two events through the SDK');
    await sdk.trigger(channel, 'price', { v: 1 });
    await sdk.trigger(channel, 'price', { v: 2 });
    await until(() => has(early, 'price', 2), 'both events');
    at('a late subscriber');
    const late = await w.subscribed(await w.connected('main'), channel);
    await until(() => has(late, 'price'), 'the replayed event');
    await sleep(200); // anything else would come now
    const cached = await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'cache' } })).json();
    return { early: early.events, late: late.events, cached };
  },

  async badSignatures(w) {
    const channel = 'private-vault';
    at('an authorizer signing private-vault with the wrong secret');
    const sdk = w.sdk('main');
    const wrongSdk = w.sdk('main', { secret: 'not-the-apps-secret' });
    const client = await w.connected('main', {
      pusherOptions: {
        channelAuthorization: {
          customHandler: ({ socketId: id, channelName }, callback) =>
            callback(null, (channelName === channel ? wrongSdk : sdk).authorizeChannel(id, channelName)),
        },
      },
    });
    const socketId = client.connection.socket_id;
    const wrong = w.subscribe(client, channel);
    await until(() => client.errors.length >= 1, 'pusher-js to report the refusal');
    await sleep(200);
    const wrongSecret = { subscribed: wrong.subscribed, events: wrong.events, errors: client.errors.slice() };

    at('a presence authorization whose channel_data was changed after signing');
    const spoofer = await w.connected('main', {
      pusherOptions: {
        channelAuthorization: {
          customHandler: ({ socketId: id, channelName }, callback) => {
            const signed = sdk.authorizeChannel(id, channelName, { user_id: 'alice' });
            callback(null, { auth: signed.auth, channel_data: JSON.stringify({ user_id: 'mallory' }) });
          },
        },
      },
    });
    const spoofed = w.subscribe(spoofer, 'presence-lounge');
    await until(() => spoofer.errors.length >= 1, 'pusher-js to report the refusal');
    await sleep(200);
    const tampered = { subscribed: spoofed.subscribed, events: spoofed.events, errors: spoofer.errors.slice() };

    at("the app's auth endpoint refusing");
    const endpoint = http.createServer((req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end('{"error":"not yours"}');
    });
    await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const viaEndpoint = await w.connected('main', {
      pusherOptions: {
        channelAuthorization: {
          endpoint: `http://127.0.0.1:${endpoint.address().port}/pusher/auth`,
          transport: 'ajax',
        },
      },
    });
    const forbidden = w.subscribe(viaEndpoint, 'private-forbidden');
    await until(() => has(forbidden, 'pusher:subscription_error'), 'pusher:subscription_error');
    endpoint.close();
    const endpointRefused = { subscribed: forbidden.subscribed, events: forbidden.events, errors: viaEndpoint.errors };

    at('the same connection, a good signature');
    const fine = await w.subscribed(client, 'private-fine');
    return {
      wrongSecret,
      tampered,
      endpointRefused,
      afterwards: {
        state: client.connection.state,
        sameSocket: client.connection.socket_id === socketId,
        states: client.states,
        fineSubscribed: fine.subscribed,
      },
    };
  },

  async clientEvents(w) {
    const sdk = w.sdk('main');
    at('three clients on a private channel');
    const clients = [];
    for (let i = 0; i < 3; i++) {
      clients.push(await w.subscribed(await w.connected('main'), 'private-chat'));
    }
    const [from, to1, to2] = clients;
    clients.forEach((ch) => listen(ch, 'client-typing'));
    at('a client event');
    const accepted = from.trigger('client-typing', { who: 'from' });
    await until(() => has(to1, 'client-typing') && has(to2, 'client-typing'), 'the others to get it');
    await sdk.trigger('private-chat', 'barrier', {});
    await until(() => clients.every((ch) => has(ch, 'barrier')), 'the barrier event');

    at('client events on a presence channel');
    const ann = await w.subscribed(await w.connected('main', { presence: { user_id: 'ann' } }), 'presence-chat');
    const num = await w.subscribed(await w.connected('main', { presence: { user_id: 42 } }), 'presence-chat');
    [ann, num].forEach((ch) => ['client-move', 'client-wave'].forEach((event) => listen(ch, event)));
    num.trigger('client-move', { x: 1 });
    ann.trigger('client-wave', { hand: 'left' });
    await until(() => has(ann, 'client-move') && has(num, 'client-wave'), 'the presence client events');
    return {
      accepted,
      sender: from.events,
      others: [to1.events, to2.events],
      heardByOthers: [to1.heard['client-typing'], to2.heard['client-typing']],
      atAnn: ann.heard['client-move'],
      atNum: num.heard['client-wave'],
      ownAtAnn: ann.heard['client-wave'].length,
      ownAtNum: num.heard['client-move'].length,
    };
  },

  async clientEventsRefused(w) {
    const sdk = w.sdk('main');
    at('client events on a public channel');
    const sender = await w.connected('main');
    const receiver = await w.connected('main');
    const pubSend = await w.subscribed(sender, 'lobby');
    const pubReceive = await w.subscribed(receiver, 'lobby');
    pubSend.trigger('client-shout', { loud: true });
    await until(() => sender.errors.length >= 1, 'the refusal');
    await sdk.trigger('lobby', 'barrier', {});
    await until(() => has(pubReceive, 'barrier'), 'the barrier event');

    at('client events on an app that has them off');
    const offSdk = w.sdk('noClientEvents');
    const offSender = await w.connected('noClientEvents', { sdk: offSdk });
    const offReceiver = await w.connected('noClientEvents', { sdk: offSdk });
    const offSend = await w.subscribed(offSender, 'private-quiet');
    const offReceive = await w.subscribed(offReceiver, 'private-quiet');
    offSend.trigger('client-whisper', { soft: true });
    await until(() => offSender.errors.length >= 1, 'the refusal');
    await offSdk.trigger('private-quiet', 'barrier', {});
    await until(() => has(offReceive, 'barrier'), 'the barrier event');
    return {
      publicChannel: {
        errors: sender.errors, received: pubReceive.events.map((e) => e.event), state: sender.connection.state,
      },
      disabledApp: {
        errors: offSender.errors, received: offReceive.events.map((e) => e.event), state: offSender.connection.state,
      },
    };
  },

  async clientEventRateLimit(w) {
    at('two clients on a private channel');
    const senderClient = await w.connected('main');
    const socketId = senderClient.connection.socket_id;
    const sender = await w.subscribed(senderClient, 'private-burst');
    const receiver = await w.subscribed(await w.connected('main'), 'private-burst');
    at('eleven client events at once');
    for (let i = 0; i < 11; i++) {
      sender.trigger('client-n', { i });
    }
    await until(() => senderClient.errors.length >= 1, 'the rate-limit error');
    await until(() => has(receiver, 'client-n', 10), 'ten events');
    await sleep(300);
    const burst = named(receiver, 'client-n').map((e) => e.data.i);
    const errors = senderClient.errors.slice();
    at('one more in the next second');
    await sleep(1000);
    sender.trigger('client-n', { i: 11 });
    await until(() => named(receiver, 'client-n').some((e) => e.data.i === 11), 'the event of the next second');
    return {
      burst,
      errors,
      stateAfter: senderClient.connection.state,
      sameSocket: senderClient.connection.socket_id === socketId,
      states: senderClient.states,
    };
  },

  async signinAndSendToUser(w) {
    const sdk = w.sdk('main');
    at('signing in two tabs of u1 and one of u2');
    const u1a = await signedIn(w, { id: 'u1', user_info: { name: 'Una' } });
    const u1b = await signedIn(w, { id: 'u1', user_info: { name: 'Una' } });
    const u2 = await signedIn(w, { id: 'u2' });
    at('sendToUser u1');
    await sdk.sendToUser('u1', 'hello', { to: 'u1' });
    await until(() => u1a.userEvents.length >= 1 && u1b.userEvents.length >= 1, "u1's tabs to get it");
    at('sendToUser u2');
    await sdk.sendToUser('u2', 'hello', { to: 'u2' });
    await until(() => u2.userEvents.length >= 1, 'u2 to get it');
    await sleep(200);
    return {
      userData: u1a.user.user_data,
      u1a: u1a.userEvents,
      u1b: u1b.userEvents,
      u2: u2.userEvents,
    };
  },

  async terminateUserConnections(w) {
    const sdk = w.sdk('main');
    at('signing in u1 twice and u2 once, and a presence member named u1 that did not sign in');
    const u1a = await signedIn(w, { id: 'u1' });
    const u1b = await signedIn(w, { id: 'u1' });
    const u2 = await signedIn(w, { id: 'u2' });
    const presenceOnly = await w.connected('main', { presence: { user_id: 'u1' } });
    await w.subscribed(presenceOnly, 'presence-terminate');
    at('terminating u1');
    const response = await sdk.terminateUserConnections('u1');
    const body = await response.json();
    await until(() => u1a.connection.state === 'disconnected' && u1b.connection.state === 'disconnected',
      "u1's connections to close");
    await sleep(1500); // a retry would begin within pusher-js's 1 s backoff
    const seen = (c) => ({ states: c.states, errors: c.errors, state: c.connection.state });
    return {
      status: response.status,
      body,
      u1a: seen(u1a),
      u1b: seen(u1b),
      u2: seen(u2),
      presenceOnly: seen(presenceOnly),
    };
  },
});
