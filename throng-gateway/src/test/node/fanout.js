'use strict';
// Fan-out under concurrency (FanoutIT): many pusher-js subscribers on several private channels, three pusher SDK
// instances publishing at once (trigger, triggerBatch, multi-channel trigger) and two pusher-js clients sending client
// events meanwhile. Every event carries its publisher and a sequence number per (publisher, channel); each subscriber
// checks that it got every event of its channels once, in order. Only a summary is reported.

const { run, at, until, sleep } = require('./lib');

run({
  async fanout(w) {
    const { subscribers, perPublisher, channelCount } = w.config;
    const channels = Array.from({ length: channelCount }, (_, i) => `private-fan-${i}`);
    // Client events: 9 a round (under the limit of 10 a second), two rounds a second apart.
    const clientRounds = 2;
    const clientPerRound = 9;

    at('connecting the subscribers');
    const receivers = [];
    const connect = async (i, names) => {
      const client = await w.connected('main');
      const receiver = { client, name: `sub${i}`, channels: names, got: new Map() };
      for (const name of names) {
        const channel = w.subscribe(client, name);
        channel.bind_global((event, data) => {
          if (event === 'fan' || event === 'client-fan') {
            const key = `${data.p}|${name}`;
            if (!receiver.got.has(key)) {
              receiver.got.set(key, []);
            }
            receiver.got.get(key).push(data.s);
          }
        });
      }
      await until(() => names.every((n) => client.channel(n).subscribed), `sub${i}'s subscriptions`);
      receivers.push(receiver);
      return receiver;
    };
    const pending = [];
    for (let i = 0; i < subscribers; i++) {
      pending.push(connect(i, [channels[i % channelCount], channels[(i + 1) % channelCount]]));
      if (pending.length % 20 === 0) {
        await Promise.all(pending.splice(0));
      }
    }
    await Promise.all(pending);
    at('connecting the client-event publishers');
    const talkers = [];
    for (let k = 0; k < 2; k++) {
      talkers.push(await connect(`talker${k}`, channels));
    }

    at('publishing');
    const started = Date.now();
    const sdks = [0, 1, 2].map(() => w.sdk('main'));
    const rest0 = async () => { // one channel per trigger
      for (let s = 0; s < perPublisher; s++) {
        for (const c of channels) {
          await sdks[0].trigger(c, 'fan', { p: 'rest0', s });
        }
      }
    };
    const rest1 = async () => { // one batch per sequence number, an event per channel
      for (let s = 0; s < perPublisher; s++) {
        await sdks[1].triggerBatch(channels.map((c) => ({ channel: c, name: 'fan', data: { p: 'rest1', s } })));
      }
    };
    const rest2 = async () => { // all channels in one trigger
      for (let s = 0; s < perPublisher; s++) {
        await sdks[2].trigger(channels, 'fan', { p: 'rest2', s });
      }
    };
    const talk = async (talker) => {
      const seq = new Map(channels.map((c) => [c, 0]));
      for (let r = 0; r < clientRounds; r++) {
        for (let j = 0; j < clientPerRound; j++) {
          const c = channels[j % channelCount];
          const s = seq.get(c);
          seq.set(c, s + 1);
          talker.client.channel(c).trigger('client-fan', { p: talker.name, s });
        }
        await sleep(1100);
      }
    };
    await Promise.all([rest0(), rest1(), rest2(), ...talkers.map(talk)]);
    const publishedIn = Date.now() - started;

    at('checking what every subscriber got');
    const clientPerChannel = (clientRounds * clientPerRound) / channelCount;
    const expected = (receiver) => {
      const out = new Map();
      for (const c of receiver.channels) {
        for (const p of ['rest0', 'rest1', 'rest2']) {
          out.set(`${p}|${c}`, perPublisher);
        }
        for (const t of talkers) {
          if (t !== receiver) {
            out.set(`${t.name}|${c}`, clientPerChannel);
          }
        }
      }
      return out;
    };
    const total = (m) => [...m.values()].reduce((a, b) => a + (Array.isArray(b) ? b.length : b), 0);
    const expectedTotal = receivers.reduce((a, r) => a + total(expected(r)), 0);
    const receivedTotal = () => receivers.reduce((a, r) => a + total(r.got), 0);
    await until(() => receivedTotal() >= expectedTotal, 'every event to arrive', 10000).catch(() => {});
    await sleep(300); // duplicates would arrive now
    const violations = [];
    for (const r of receivers) {
      const want = expected(r);
      for (const key of new Set([...want.keys(), ...r.got.keys()])) {
        const got = r.got.get(key) || [];
        const n = want.get(key) || 0;
        const inOrderOnce = got.length === n && got.every((s, i) => s === i);
        if (!inOrderOnce) {
          violations.push({ receiver: r.name, stream: key, expected: n, got: got.slice(0, 50), gotCount: got.length });
        }
      }
    }
    return {
      subscribers: receivers.length,
      streams: receivers.reduce((a, r) => a + expected(r).size, 0),
      expectedTotal,
      receivedTotal: receivedTotal(),
      publishedInMs: publishedIn,
      violations: violations.slice(0, 10),
      violationCount: violations.length,
      errors: receivers.flatMap((r) => r.client.errors),
      disconnected: receivers.filter((r) => r.client.connection.state !== 'connected').length,
    };
  },
});
