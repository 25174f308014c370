'use strict';
// pusher-js connecting to the gateway, and what its state machine makes of each refusal (PusherConnectionIT).

const { run, at, until, sleep } = require('./lib');

/** How long a refused client is watched for a retry: pusher-js's backoff would retry after 1 s. */
const RETRY_WATCH_MS = 2500;

run({
  // The handshake as pusher-js understood it, then a quiet spell longer than the activity timeout.
  async connects(w) {
    at('connecting');
    const client = await w.connected('main');
    const socketId = client.connection.socket_id;
    const activityTimeout = client.connection.activityTimeout;
    at('staying idle');
    await sleep(w.config.idleMs);
    return {
      socketId,
      activityTimeoutMs: activityTimeout,
      socketIdAfterIdle: client.connection.socket_id,
      stateAfterIdle: client.connection.state,
      states: client.states,
      pongs: client.pongs,
      errors: client.errors,
    };
  },

  // A client of an app the gateway refuses (key unknown, app disabled): its states and errors, watched for a retry.
  async refused(w) {
    at('connecting with a refused key');
    const client = w.client(w.config.refusedApp);
    await until(() => client.connection.state === 'disconnected', 'the refused client to give up');
    await sleep(RETRY_WATCH_MS);
    return { states: client.states, errors: client.errors, state: client.connection.state };
  },

  // The quota app's connections beyond its maxConnections, and the same client once a slot is free.
  async overQuota(w) {
    at('filling the quota');
    const quota = w.config.quota;
    const inside = [];
    for (let i = 0; i < quota; i++) {
      inside.push(await w.connected('quota'));
    }
    at('one more');
    const extra = w.client('quota');
    await until(() => extra.connection.state === 'disconnected', 'the client over quota to give up');
    await sleep(RETRY_WATCH_MS);
    const refused = { states: extra.states.slice(), errors: extra.errors.slice(), state: extra.connection.state };
    const insideStates = inside.map((c) => c.connection.state);
    at('freeing a slot and connecting again');
    inside[0].disconnect();
    // The gateway gives the slot back when the close completes: wait until its metrics count one connection less.
    const open = async () => {
      const text = await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('throng_connections{')
        && l.includes(`app="${w.app('quota').id}"`));
      return line ? Number(line.split(' ').pop()) : -1;
    };
    for (let n = await open(); n !== quota - 1; n = await open()) {
      await sleep(20);
    }
    extra.connect();
    await until(() => extra.connection.state === 'connected', 'the client to connect into the freed slot');
    return {
      insideStates,
      refused,
      stateAfterSlotFreed: extra.connection.state,
    };
  },
});
