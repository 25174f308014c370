'use strict';
// What the gateway's witness scripts share. Each script is a table of scenarios; the Java test runs one with
//
//   node SCRIPT.js '<config JSON>' SCENARIO
//
// and asserts on the one line of JSON it prints last: {"ok":true, ...what it saw} or, when a step never came to pass,
// {"ok":false,"step":...,"error":...}. The config names the gateway's port, its apps ({name: {id, key, secret}}), the
// encryption master key and the scenario's time limit. The witnesses are the official libraries themselves:
// pusher-js (the client, with its own connection state machine), the pusher server SDK (REST signing, channel and
// user authorization, encryption, webhook validation) and Node's ws (a raw socket, for what pusher-js hides).

const Pusher = require('pusher-js');
const PusherServer = require('pusher');
const WebSocket = require('ws');

// Node's pusher-js logs a warning or two of its own (a refused signin, say) to stderr, which stays out of the
// result; its debug log is off.
Pusher.logToConsole = false;

let step = 'starting';
const closers = [];

function finish(result) {
  const line = JSON.stringify(Object.assign({ ok: true }, result)) + '\n';
  for (const close of closers) {
    try {
      close();
    } catch (e) {
      // leaving anyway
    }
  }
  process.stdout.write(line);
  process.exit(0);
}

function fail(error) {
  const message = String((error && error.stack) || error);
  process.stdout.write(JSON.stringify({ ok: false, step, error: message }) + '\n');
  process.exit(1);
}

/** Runs the scenario the command line names from {@code scenarios} (name → async function(witness) → result). */
function run(scenarios) {
  const [configJson, name] = process.argv.slice(2);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  const config = JSON.parse(configJson);
  const scenario = scenarios[name];
  if (!scenario) {
    fail(new Error(`no scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`));
    return;
  }
  const limit = config.timeoutMs || 20000;
  setTimeout(() => fail(new Error(`scenario ${name} still running after ${limit} ms`)), limit).unref();
  Promise.resolve()
    .then(() => scenario(new Witness(config)))
    .then((result) => finish(Object.assign({ scenario: name }, result)), fail);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once {@code test()} is truthy (polled every 10 ms); rejects naming {@code what} after {@code ms}. */
async function until(test, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = test();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${ms} ms for ${what}`);
    }
    await sleep(10);
  }
}

/** Sets the step a failure report names. */
function at(name) {
  step = name;
}

class Witness {
  constructor(config) {
    this.config = config;
    this.port = config.port;
    this.apps = config.apps;
  }

  /** The same witness pointed at node {@code i} of a cluster ({@code config.ports[i]}; throng-redis's cluster.js). */
  node(i) {
    return new Witness(Object.assign({}, this.config, { port: this.config.ports[i] }));
  }

  app(name) {
    const app = this.apps[name];
    if (!app) {
      throw new Error(`no app ${name} in the config`);
    }
    return app;
  }

  /** The pusher server SDK for app {@code name}, pointed at the gateway (options override, e.g. a wrong secret). */
  sdk(name, options = {}) {
    const app = this.app(name);
    return new PusherServer(Object.assign({
      appId: app.id,
      key: app.key,
      secret: app.secret,
      host: '127.0.0.1',
      port: String(this.port),
      useTLS: false,
      encryptionMasterKeyBase64: this.config.masterKey,
      timeout: 5000,
    }, options));
  }

  /**
   * A pusher-js client of app {@code name}, connecting at once, as a page would configure it for a self-hosted
   * server. Channels are authorized, and users signed in, by the pusher SDK itself (custom handlers calling
   * {@code authorizeChannel} and {@code authenticateUser}); {@code options.presence} is the channel_data of presence
   * subscriptions ({user_id, user_info}), {@code options.user} the user_data of signin(). Every state change and
   * connection error is recorded on the returned client ({@code states}, {@code errors}).
   */
  client(name, options = {}) {
    const app = this.app(name);
    const sdk = options.sdk || this.sdk(name);
    const { presence, user, pusherOptions } = options;
    const client = new Pusher(app.key, Object.assign({
      wsHost: '127.0.0.1',
      wsPort: this.port,
      forceTLS: false,
      enabledTransports: ['ws'],
      disableStats: true,
      cluster: 'throng', // pusher-js insists on one; wsHost decides where it connects
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, callback) => {
          try {
            const data = channelName.startsWith('presence-') ? presence : undefined;
            callback(null, sdk.authorizeChannel(socketId, channelName, data));
          } catch (e) {
            callback(e, null);
          }
        },
      },
      userAuthentication: {
        customHandler: ({ socketId }, callback) => {
          try {
            callback(null, sdk.authenticateUser(socketId, user));
          } catch (e) {
            callback(e, null);
          }
        },
      },
    }, pusherOptions));
    client.states = [client.connection.state]; // it starts connecting in its constructor
    client.errors = [];
    client.pongs = 0;
    client.connection.bind('state_change', ({ current }) => client.states.push(current));
    client.connection.bind('error', (error) => client.errors.push(plainError(error)));
    client.connection.bind('message', (message) => {
      if (message.event === 'pusher:pong') {
        client.pongs++;
      }
    });
    closers.push(() => client.disconnect());
    return client;
  }

  /** A connected pusher-js client (see {@link #client}). */
  async connected(name, options = {}) {
    const client = this.client(name, options);
    await until(() => client.connection.state === 'connected', `a client of ${name} to connect`);
    return client;
  }

  /**
   * Subscribes {@code client} to {@code channelName}; resolves with the channel, recording every event on it
   * ({@code channel.events}: [{event, data, metadata}]), once pusher-js says the subscription succeeded.
   */
  async subscribed(client, channelName) {
    const channel = this.subscribe(client, channelName);
    await until(() => channel.subscribed, `${channelName} to be subscribed`);
    return channel;
  }

  /** Subscribes and records, without waiting. */
  subscribe(client, channelName) {
    const channel = client.subscribe(channelName);
    if (!channel.events) {
      channel.events = [];
      channel.bind_global((event, data, metadata) => channel.events.push({ event, data, metadata }));
    }
    return channel;
  }

  /**
   * A raw WebSocket to the gateway for app key {@code key} (Node's ws): the frames as the gateway sent them.
   * {@code frames} holds every message parsed; {@code closed} resolves with {code, reason}.
   */
  async raw(key, query = '?protocol=7&client=js&version=8.6.0&flash=false') {
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/app/${key}${query}`);
    const socket = { ws, frames: [] };
    socket.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({
      code, reason: reason.toString(),
    })));
    ws.on('message', (data) => socket.frames.push(JSON.parse(data.toString())));
    ws.on('error', () => {}); // the close carries what matters
    socket.send = (frame) => ws.send(JSON.stringify(frame));
    socket.next = (event, from = 0) => until(() => socket.frames.slice(from).find((f) => f.event === event),
      `a ${event} frame`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const established = await socket.next('pusher:connection_established');
    socket.socketId = JSON.parse(established.data).socket_id;
    closers.push(() => ws.terminate());
    return socket;
  }
}

/** A pusher-js error event as JSON can carry it (Error objects lose their message in JSON.stringify). */
function plainError(error) {
  return JSON.parse(JSON.stringify(error, (key, value) => (value instanceof Error ? String(value) : value)));
}

module.exports = { run, at, until, sleep };
