'use strict';
// A slow consumer (SlowConsumerIT): a raw WebSocket (Node's ws) subscribes to a busy channel and stops reading, while a
// pusher-js subscriber of the same channel reads everything. The SDK publishes ~9 KB events in batches until the
// gateway's metrics count the slow one closed; then the slow socket reads again, to find the close frame the
// gateway queued behind what it had taken.

const crypto = require('crypto');
const { run, at, until, sleep } = require('./lib');

/** ~9 KB of data no permessage-deflate can shrink (Node's ws offers it, and the gateway compresses). */
const pad = () => crypto.randomBytes(6750).toString('base64');

async function slowConsumerCloses(w) {
  const app = w.app('main');
  const sdk = w.sdk('main');
  const channel = 'busy';
  at('a normal subscriber');
  const normalClient = await w.connected('main');
  const normal = w.subscribe(normalClient, channel);
  const seqs = [];
  normal.bind('tick', (data) => seqs.push(data.s));
  await until(() => normal.subscribed, 'the normal subscription');
  at('a slow subscriber');
  const slow = await w.raw(app.key);
  slow.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
  await slow.next('pusher_internal:subscription_succeeded');
  slow.ws.pause(); // stops reading the socket: the kernel's buffers fill, then the gateway's queue for it
  let slowClosedAt = null;
  slow.closed.then(() => { slowClosedAt = Date.now(); });

  at('publishing until the gateway closes the slow subscriber');
  const metric = async (name, tag = '') => {
    const text = await (await fetch(`http://127.0.0.1:${w.port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(tag));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const slowCloses = () => metric('throng_slow_consumer_closes_total{', `app="${app.id}"`);
  let published = 0;
  let publishedBytes = 0;
  while ((await slowCloses()) < 1) {
    if (publishedBytes > w.config.maxPublishBytes) {
      throw new Error(`published ${publishedBytes} B and the slow subscriber is still open (it read `
        + `${slow.frames.length} frames; ${await metric('throng_engine_memory_in_flight_bytes')} B in flight)`);
    }
    for (let b = 0; b < 5; b++) {
      const batch = [];
      for (let i = 0; i < 10; i++) {
        batch.push({ channel, name: 'tick', data: { s: published++, pad: pad() } });
      }
      await sdk.triggerBatch(batch);
      publishedBytes += 10 * 9000;
    }
  }
  const publishedWhenClosed = published;
  at('publishing a little more, for the normal subscriber only');
  for (let b = 0; b < 5; b++) {
    const batch = [];
    for (let i = 0; i < 10; i++) {
      batch.push({ channel, name: 'tick', data: { s: published++, pad: pad() } });
    }
    await sdk.triggerBatch(batch);
  }
  at('the slow subscriber reads again');
  const closedWhilePaused = slowClosedAt !== null;
  slow.ws.resume();
  const close = await slow.closed;
  const ticksBeforeClose = slow.frames.filter((f) => f.event === 'tick').length;
  at('the normal subscriber catches up');
  await until(() => seqs.length >= published, `all ${published} events at the normal subscriber`, 15000);
  await sleep(100);
  return {
    close,
    closedWhilePaused,
    ticksBeforeClose,
    published,
    publishedWhenClosed,
    publishedBytes,
    normal: {
      count: seqs.length,
      inOrderOnce: seqs.every((s, i) => s === i),
      state: normalClient.connection.state,
      errors: normalClient.errors,
    },
  };
}

run({ slowConsumerCloses });
