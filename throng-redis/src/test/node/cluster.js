'use strict';
// Several gateway nodes sharing one Redis, seen by the official libraries (ClusterIT, KilledNodeIT): pusher-js clients
// on different nodes, the pusher SDK triggering on one. The config names the nodes' ports (ports[i]: w.node(i)) and
// the test's control endpoint (stop and start Redis, kill a node). Each scenario reports what the witnesses saw; the
// Java test judges it.
//
// This file uses the gateway's witness package as it is (one copy, in throng-gateway/src/test/node, installed there by
// npm ci from its lock file): its lib, and through it pusher-js and the pusher SDK.

const path = require('path');

const WITNESSES = path.join(__dirname, '..', '..', '..', '..', 'throng-gateway', 'src', 'test', 'node');
const { run, at, until, sleep } = require(path.join(WITNESSES, 'lib'));
const WebSocket = require(require.resolve('ws', { paths: [WITNESSES] }));

const named = (channel, event) => channel.events.filter((e) => e.event === event);
const has = (channel, event, n = 1) => named(channel, event).length >= n;

/** Asks the Java test to act (stop or start Redis, kill a node); resolves when it has. */
async function control(w, what) {
  const res = await fetch(`http://127.0.0.1:${w.config.controlPort}/${what}`, { method: 'POST' });
  if (res.status !== 200) {
    throw new Error(`control ${what} answered ${res.status}: ${await res.text()}`);
  }
}

/** The status of a node's GET /healthz/cluster. */
async function clusterHealth(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz/cluster`)).status;
  } catch (e) {
    return -1;
  }
}

/** What an SDK call answered, resolved or rejected: {status, body, degraded}. */
async function outcome(call) {
  try {
    const res = await call();
    return { status: res.status, body: await res.json(), degraded: res.headers.get('x-throng-cluster') };
  } catch (e) {
    if (e.status === undefined) {
      throw e;
    }
    let body = e.body;
    try {
      body = JSON.parse(e.body);
    } catch (ignored) {
      // kept as text
    }
    return { status: e.status, body };
  }
}

function memberIds(members) {
  const ids = [];
  members.each((m) => ids.push(String(m.id)));
  return ids.sort();
}

/** A signed-in client on node {@code n}, subscribed to its #server-to-user- channel. */
async function signedIn(w, n, user) {
  const client = await w.node(n).connected('main', { user });
  client.userEvents = [];
  client.user.bind_global((event, data) => client.userEvents.push({ event, data }));
  client.signin();
  await until(() => client.user.serverToUserChannel && client.user.serverToUserChannel.subscribed,
    `${user.id} to be signed in on node ${n}`);
  return client;
}

run({
  // Subscribers on every node; the SDK publishes on node 0 (trigger to two channels, triggerBatch), a pusher-js client
  // on node 1 sends client events meanwhile. Each subscriber reports, per channel, what it got in order.
  async fanout(w) {
    const { perNode, events } = w.config;
    const nodes = w.config.ports.length;
    const channels = ['cluster-news', 'private-cluster'];
    at('subscribing on every node');
    const subscribers = [];
    for (let n = 0; n < nodes; n++) {
      for (let k = 0; k < perNode; k++) {
        const client = await w.node(n).connected('main');
        const got = {};
        for (const name of channels) {
          got[name] = [];
          const channel = await w.node(n).subscribed(client, name);
          channel.bind_global((event, data) => {
            if (event === 'fan' || event === 'client-fan') {
              got[name].push(`${data.p}:${data.s}`);
            }
          });
        }
        subscribers.push({ node: n, got });
      }
    }
    at('a client-event sender on node 1');
    const talker = await w.node(1).connected('main');
    const talkerChannel = await w.node(1).subscribed(talker, 'private-cluster');

    at('publishing');
    const sdk = w.node(0).sdk('main');
    const rest = async () => {
      for (let s = 0; s < events; s++) {
        if (s % 2 === 0) {
          await sdk.trigger(channels, 'fan', { p: 'rest', s });
        } else {
          await sdk.triggerBatch(channels.map((channel) => ({ channel, name: 'fan', data: { p: 'rest', s } })));
        }
      }
    };
    const talk = async () => {
      for (let s = 0; s < 9; s++) { // under the client-event limit of 10 a second
        talkerChannel.trigger('client-fan', { p: 'talker', s });
        await sleep(5);
      }
    };
    await Promise.all([rest(), talk()]);
    at('waiting for every event on every node');
    await until(() => subscribers.every((s) => s.got['cluster-news'].length >= events
      && s.got['private-cluster'].length >= events + 9), 'every subscriber to get every event', 15000);
    await sleep(300); // a duplicate would arrive meanwhile
    return { subscribers };
  },

  // One user with a tab on node 0 and one on node 1, an observer on node 2, another user on node 0.
  async presence(w) {
    const channel = 'presence-cluster';
    const sdk = w.node(1).sdk('main');
    const member = (m) => m && { id: String(m.id), info: m.info };
    const view = (c) => ({ count: c.members.count, ids: memberIds(c.members) });
    const added = (c) => named(c, 'pusher:member_added').map((e) => member(e.data));
    const removed = (c) => named(c, 'pusher:member_removed').map((e) => member(e.data));

    at('the observer joins on node 2');
    const observer = await w.node(2).connected('main', { presence: { user_id: 'observer', user_info: { n: 2 } } });
    const obs = await w.node(2).subscribed(observer, channel);
    const observerFirst = view(obs);

    at('alice joins from a tab on node 0');
    const alice = { user_id: 'alice', user_info: { name: 'Alice' } };
    const aliceTab1 = await w.node(0).connected('main', { presence: alice });
    const tab1 = await w.node(0).subscribed(aliceTab1, channel);
    await until(() => added(obs).length === 1, "alice's member_added on node 2");
    at('alice joins from a second tab, on node 1');
    const aliceTab2 = await w.node(1).connected('main', { presence: alice });
    const tab2 = await w.node(1).subscribed(aliceTab2, channel);
    const secondTab = view(tab2);

    at('bob joins on node 0');
    const bobClient = await w.node(0).connected('main', { presence: { user_id: 'bob' } });
    const bob = await w.node(0).subscribed(bobClient, channel);
    await until(() => added(obs).length >= 2 && added(tab1).length >= 1, "bob's member_added");
    const addedWhileJoining = added(obs);

    at('listing through the REST API of node 1');
    const users = await (await sdk.get({ path: `/channels/${channel}/users` })).json();
    const info = await (await sdk.get({ path: `/channels/${channel}`,
      params: { info: 'user_count,subscription_count' } })).json();

    at("alice's tab on node 0 leaves");
    aliceTab1.disconnect();
    for (let i = 0; ; i++) {
      const now = await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } }))
        .json();
      if (now.subscription_count === 3) {
        break;
      }
      if (i > 250) {
        throw new Error(`the cluster kept ${now.subscription_count} subscriptions of ${channel}`);
      }
      await sleep(20);
    }
    await w.node(0).sdk('main').trigger(channel, 'barrier', {});
    await until(() => has(obs, 'barrier') && has(bob, 'barrier'), 'the barrier event');
    const afterFirstTabLeft = { removed: removed(obs), count: obs.members.count };

    at("alice's tab on node 1 leaves");
    aliceTab2.unsubscribe(channel);
    await until(() => removed(obs).length >= 1 && removed(bob).length >= 1, "alice's member_removed");
    await sleep(300);
    return {
      observerFirst,
      secondTab,
      addedWhileJoining,
      bobSawAdded: added(bob),
      users,
      info,
      afterFirstTabLeft,
      removedAtObserver: removed(obs),
      removedAtBob: removed(bob),
      observerLast: view(obs),
    };
  },

  // The REST API of one node answers for the whole cluster: lists, counts, terminations, server-to-user events.
  async rest(w) {
    const sdk = w.node(0).sdk('main');
    at('subscribers on nodes 1 and 2');
    for (const n of [1, 2, 2]) {
      await w.node(n).subscribed(await w.node(n).connected('main'), 'rest-cluster');
    }
    await w.node(1).subscribed(await w.node(1).connected('main', { presence: { user_id: 'p1' } }), 'presence-rest');
    await w.node(2).subscribed(await w.node(2).connected('main', { presence: { user_id: 'p2' } }), 'presence-rest');
    at('asking node 0, which has no subscriber');
    let channels;
    for (let i = 0; ; i++) { // counts reach Redis a few milliseconds after the subscriptions
      channels = await (await sdk.get({ path: '/channels', params: { info: 'subscription_count' } })).json();
      const c = channels.channels['rest-cluster'];
      if (c && c.subscription_count === 3) {
        break;
      }
      if (i > 250) {
        throw new Error(`rest-cluster: ${JSON.stringify(channels)}`);
      }
      await sleep(20);
    }
    const presenceList = await (await sdk.get({ path: '/channels',
      params: { filter_by_prefix: 'presence-', info: 'user_count' } })).json();
    const users = await (await sdk.get({ path: '/channels/presence-rest/users' })).json();
    const triggered = await (await sdk.trigger('rest-cluster', 'counted', {}, { info: 'subscription_count' }))
      .json();

    at('signing in u-send on node 2, u-term on nodes 1 and 2');
    const receiver = await signedIn(w, 2, { id: 'u-send' });
    const term1 = await signedIn(w, 1, { id: 'u-term' });
    const term2 = await signedIn(w, 2, { id: 'u-term' });
    at('sendToUser through node 0');
    await sdk.sendToUser('u-send', 'hello', { to: 'u-send' });
    await until(() => receiver.userEvents.some((e) => e.event === 'hello'), 'the user event on node 2');
    at('terminating u-term through node 0');
    const terminated = await sdk.terminateUserConnections('u-term');
    await until(() => term1.connection.state === 'disconnected' && term2.connection.state === 'disconnected',
      "u-term's connections on nodes 1 and 2 to close");
    return {
      channels,
      presenceList,
      users,
      triggered,
      userEvents: receiver.userEvents,
      terminatedStatus: terminated.status,
      term1: { errors: term1.errors, state: term1.connection.state },
      term2: { errors: term2.errors, state: term2.connection.state },
      receiverState: receiver.connection.state,
    };
  },

  // A cache channel's last event, published through node 0, replayed to a subscriber of node 1; a miss on node 2.
  async cache(w) {
    at('publishing to a cache channel through node 0');
    await w.node(0).sdk('main').trigger('cache-cluster', 'last', { v: 1 });
    at('subscribing on node 1, then on node 2 to an empty one');
    const late = await w.node(1).subscribed(await w.node(1).connected('main'), 'cache-cluster');
    await until(() => has(late, 'last'), 'the cached event');
    const empty = await w.node(2).subscribed(await w.node(2).connected('main'), 'cache-cluster-empty');
    await until(() => has(empty, 'pusher:cache_miss'), 'the cache miss');
    at('a presence-cache channel: published through node 0, joined on node 2');
    await w.node(0).sdk('main').trigger('presence-cache-cluster', 'last', { v: 2 });
    const member = await w.node(2).connected('main', { presence: { user_id: 'cached' } });
    const presence = await w.node(2).subscribed(member, 'presence-cache-cluster');
    await until(() => has(presence, 'last'), 'the cached event after the member list');
    return { late: late.events, empty: empty.events, presence: presence.events, count: presence.members.count };
  },

  // The quota app allows 3 connections over the cluster.
  async quota(w) {
    const key = w.app('quota').key;
    at('two connections on node 0, one on node 1');
    const first = await rawWithoutHandshake(w, 0, key);
    const admitted = [first, await rawWithoutHandshake(w, 0, key), await rawWithoutHandshake(w, 1, key)];
    await sleep(w.config.syncMs * 4); // the nodes report and read their counts
    at('a fourth on each node');
    const fourth = [await rawWithoutHandshake(w, 0, key), await rawWithoutHandshake(w, 1, key)];
    at('one leaves node 0: a new one is admitted on node 1');
    first.socket.close();
    await sleep(w.config.syncMs * 4);
    const again = await rawWithoutHandshake(w, 1, key);
    const view = (r) => ({ event: r.event, code: r.code, closeCode: r.closeCode });
    return { admitted: admitted.map(view), fourth: fourth.map(view), again: view(again) };
  },

  // Redis stops and starts again (empty) while clients on nodes 0 and 1 stay connected.
  async outage(w) {
    const sdk = w.node(0).sdk('main');
    at('subscribers on nodes 0 and 1');
    const c0 = await w.node(0).subscribed(await w.node(0).connected('main'), 'outage-news');
    const c1 = await w.node(1).subscribed(await w.node(1).connected('main'), 'outage-news');
    const before = await outcome(() => sdk.trigger('outage-news', 'before', {}));
    await until(() => has(c0, 'before') && has(c1, 'before'), 'the event before the outage');

    at('stopping Redis');
    await control(w, 'redis/stop');
    for (let i = 0; (await clusterHealth(w.config.ports[0])) !== 503; i++) {
      if (i > 500) {
        throw new Error('node 0 never said it was degraded');
      }
      await sleep(20);
    }
    at('publishing through node 0 while Redis is away');
    const during = await outcome(() => sdk.trigger('outage-news', 'during', {}));
    await until(() => has(c0, 'during'), "node 0's own subscriber to get it");
    const listDuring = await outcome(() => sdk.get({ path: '/channels' }));
    const health = [await clusterHealth(w.config.ports[0]), await clusterHealth(w.config.ports[1])];
    at('a presence subscription while Redis is away');
    const refusedClient = await w.node(0).connected('main', { presence: { user_id: 'late' } });
    refusedClient.subscribe('presence-outage');
    await until(() => refusedClient.errors.length >= 1, 'the refusal');
    at('a public subscription on node 1 while Redis is away');
    const lateSubscriber = await w.node(1).subscribed(await w.node(1).connected('main'), 'outage-late');
    await sleep(300);

    at('starting Redis again');
    await control(w, 'redis/start');
    for (let i = 0; (await clusterHealth(w.config.ports[0])) !== 200 || (await clusterHealth(w.config.ports[1])) !== 200;
      i++) {
      if (i > 750) {
        throw new Error('the nodes never said they were back');
      }
      await sleep(20);
    }
    at('publishing through node 0 after the outage');
    let after;
    for (let i = 0; !(has(c1, 'after') && has(lateSubscriber, 'after')); i++) {
      // The rebuild subscribes node 1's channels again right after the reconnection: try until it has.
      if (i > 100) {
        throw new Error('node 1 never got events from node 0 again');
      }
      after = await outcome(() => sdk.trigger(['outage-news', 'outage-late'], 'after', { i }));
      await sleep(100);
    }
    const presenceAgain = await w.node(0).subscribed(await w.node(0).connected('main',
      { presence: { user_id: 'back' } }), 'presence-outage');
    return {
      before,
      during,
      listDuring,
      health,
      presenceErrors: refusedClient.errors,
      after,
      c0: c0.events.map((e) => e.event),
      c1: c1.events.map((e) => e.event),
      late: lateSubscriber.events.map((e) => e.event),
      presenceAgainCount: presenceAgain.members.count,
    };
  },

  // Node 1 is a process of its own; it is killed with SIGKILL while a member of a presence channel is on it.
  async killed(w) {
    const channel = 'presence-killed';
    const sdk = w.node(0).sdk('main');
    at('an observer on node 0, a victim on node 1');
    const observer = await w.node(0).connected('main', { presence: { user_id: 'observer' } });
    const obs = await w.node(0).subscribed(observer, channel);
    const victim = await w.node(1).connected('main', { presence: { user_id: 'victim' } });
    await w.node(1).subscribed(victim, channel);
    await w.node(1).subscribed(victim, 'killed-news');
    await until(() => has(obs, 'pusher:member_added'), "the victim's member_added");
    const usersBefore = await (await sdk.get({ path: `/channels/${channel}/users` })).json();
    const channelsBefore = await (await sdk.get({ path: '/channels' })).json();
    at('killing node 1');
    await control(w, 'node/kill');
    const killedAt = Date.now();
    await until(() => has(obs, 'pusher:member_removed'), "the victim's member_removed", w.config.expiryMs + 10000);
    const removedAfterMs = Date.now() - killedAt;
    victim.disconnect();
    const usersAfter = await (await sdk.get({ path: `/channels/${channel}/users` })).json();
    const channelsAfter = await (await sdk.get({ path: '/channels' })).json();
    return {
      usersBefore,
      channelsBefore,
      removedAfterMs,
      removed: named(obs, 'pusher:member_removed').map((e) => e.data),
      usersAfter,
      channelsAfter,
      observerCount: obs.members.count,
    };
  },
});

/**
 * A raw connection to node {@code n} for app key {@code key}: resolves with its first frame and close code, whether the
 * gateway greeted it or told it to go away ({code, event, closeCode}).
 */
async function rawWithoutHandshake(w, n, key) {
  const ws = new WebSocket(`ws://127.0.0.1:${w.config.ports[n]}/app/${key}?protocol=7&client=js&version=8.6.0`);
  const first = await new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString())));
    ws.once('error', reject);
  });
  if (first.event === 'pusher:connection_established') {
    return { event: first.event, socket: ws }; // kept open (the process ends with the scenario)
  }
  const closeCode = await new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  return { event: first.event, code: first.data && first.data.code, closeCode };
}
