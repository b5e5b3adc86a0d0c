/**
 * Issue 12, "inflight and queue limits": the embedded broker held unbounded messages for a
 * subscriber that never acknowledged, and one that stopped reading stalled routing for every
 * client until Aedes' 60 s drain timeout. Now each client but the controller's ingest session
 * has Mosquitto's limits: `--mqtt-max-inflight-messages`, then `--mqtt-max-queued-messages` /
 * `--mqtt-max-queued-bytes` behind them, and what is beyond is dropped, counted and logged once
 * per client. Real slow clients over real sockets (a raw MQTT socket that never sends PUBACK,
 * one that stops reading), both broker layouts; the ingest session under the same small limits
 * receives everything.
 */
import { connect as netConnect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.ts';
import { startBrokerThread } from '../../src/mqtt/broker-thread.ts';
import type { BrokerLimitsOptions } from '../../src/mqtt/broker-limits.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { connected, mosquittoBroker } from './mqtt-brokers.ts';
import { mosquittoAvailable } from '../mqtt/mosquitto-process.ts';
import { renderMosquittoConfig } from '../../src/mqtt/mosquitto-config.ts';

const LIMITS: BrokerLimitsOptions = {
  maxInflightMessages: 5,
  maxQueuedMessages: 20,
  maxQueuedBytes: 1024 * 1024,
};
const cheap = { N: 1024, r: 8, p: 1 };
const CREDENTIALS = () =>
  CredentialStore.fromUsers([
    { username: 'controller', role: 'controller', password_hash: hashPassword('c-pw', cheap) },
    { username: 'node-1', role: 'node', site: 'lab', password_hash: hashPassword('n1-pw', cheap) },
    { username: 'viewer', role: 'viewer', password_hash: hashPassword('v-pw', cheap) },
  ]);
const TOPIC = nodeTopic('lab', 'node-1', 'events');

interface Started {
  url: string;
  dropped: () => number;
  logs: string[];
  close(): Promise<void>;
}

function recordingLogger(logs: string[]): Logger {
  const keep = (obj: object | string, msg?: string) =>
    void logs.push(typeof obj === 'string' ? obj : (msg ?? ''));
  return { debug: keep, info: keep, warn: keep, error: keep } as Logger;
}

const layouts: { name: string; start: (limits: BrokerLimitsOptions) => Promise<Started> }[] = [
  {
    name: 'broker thread',
    start: async (limits) => {
      const logs: string[] = [];
      let dropped = 0;
      const b = await startBrokerThread({
        credentials: CREDENTIALS(),
        port: 0,
        limits,
        logger: recordingLogger(logs),
        onDropped: (n) => (dropped += n),
      });
      return { url: b.url, dropped: () => dropped, logs, close: () => b.close() };
    },
  },
  {
    name: 'in-process',
    start: async (limits) => {
      const logs: string[] = [];
      const b = await startEmbeddedBroker({
        credentials: CREDENTIALS(),
        port: 0,
        limits,
        logger: recordingLogger(logs),
      });
      return { url: b.url, dropped: () => b.outbound.dropped, logs, close: () => b.close() };
    },
  },
];

/** A hand-driven MQTT 3.1.1 client on a raw socket: it acknowledges only when told to. */
async function rawSubscriber(url: string, user: string, password: string, clientId: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = netConnect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const publishes: { messageId?: number; payload: string }[] = [];
  const others: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', (p: Packet) => {
    if (p.cmd === 'publish') {
      publishes.push({ messageId: p.messageId, payload: p.payload.toString() });
    } else others.push(p);
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  const send = (p: Packet) => socket.write(mqttPacket.generate(p));
  send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 0,
    username: user,
    password: Buffer.from(password),
  });
  await waitFor('CONNACK', () => others.find((p) => p.cmd === 'connack'), 10_000, {
    intervalMs: 10,
  });
  send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'intelli-mesh/#', qos: 1 }] });
  await waitFor('SUBACK', () => others.find((p) => p.cmd === 'suback'), 10_000, {
    intervalMs: 10,
  });
  return {
    socket,
    publishes,
    /** Acknowledges every QoS 1 message received and not yet acknowledged. */
    ackAll: (() => {
      let acked = 0;
      return () => {
        for (const p of publishes.slice(acked)) send({ cmd: 'puback', messageId: p.messageId! });
        acked = publishes.length;
      };
    })(),
  };
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(layouts)('per-client inflight and queue limits: $name', (layout) => {
  it('a subscriber that never acknowledges gets max-inflight messages, max-queued wait, the rest are dropped and counted; the ingest session gets all', async () => {
    const broker = await layout.start(LIMITS);
    cleanups.push(() => broker.close());
    // The controller's ingest session under the same limits, acknowledging as mqtt.js does.
    const ingest = await connected(
      broker.url,
      { username: 'controller', password: 'c-pw' },
      { clientId: 'controller:ingest', clean: false },
    );
    cleanups.push(() => ingest.endAsync(true));
    const stored: string[] = [];
    ingest.on('message', (_t, payload) => stored.push(payload.toString()));
    await ingest.subscribeAsync('intelli-mesh/+/node/+/events', { qos: 1 });

    const silent = await rawSubscriber(broker.url, 'viewer', 'v-pw', 'viewer:silent');
    cleanups.push(() => void silent.socket.destroy());

    const node = await connected(broker.url, { username: 'node-1', password: 'n1-pw' });
    cleanups.push(() => node.endAsync(true));
    const N = 200;
    for (let i = 0; i < N; i++) await node.publishAsync(TOPIC, `m${i}`, { qos: 1 });

    await waitFor('the ingest session to get every message', () => stored.length >= N, 20_000);
    expect(stored).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
    // The silent subscriber: 5 in flight, 20 queued behind them, 175 dropped.
    await waitFor('the drops to be counted', () => broker.dropped() >= N - 25, 10_000);
    expect(silent.publishes.map((p) => p.payload)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(broker.dropped()).toBe(N - 25);
    expect(broker.logs.filter((l) => l.includes('too slow')).length).toBe(1);

    // As it acknowledges, the queue follows, in order, and nothing else.
    for (let round = 0; round < 5; round++) {
      silent.ackAll();
      const want = Math.min(25, 5 * (round + 2));
      await waitFor(`${want} messages`, () => silent.publishes.length >= want, 10_000, {
        intervalMs: 10,
      });
    }
    silent.ackAll();
    expect(silent.publishes.map((p) => p.payload)).toEqual(
      Array.from({ length: 25 }, (_, i) => `m${i}`),
    );
    // One more message goes straight through, now that the window is empty.
    await node.publishAsync(TOPIC, 'after', { qos: 1 });
    await waitFor('the next message', () => silent.publishes.length === 26, 10_000);
    expect(silent.publishes[25]!.payload).toBe('after');
  }, 60_000);

  it('a subscriber that stops reading does not hold up the others, and what it missed is counted', async () => {
    const broker = await layout.start(LIMITS);
    cleanups.push(() => broker.close());
    const ingest = await connected(
      broker.url,
      { username: 'controller', password: 'c-pw' },
      { clientId: 'controller:ingest', clean: false },
    );
    cleanups.push(() => ingest.endAsync(true));
    let stored = 0;
    ingest.on('message', () => stored++);
    await ingest.subscribeAsync('intelli-mesh/+/node/+/events', { qos: 1 });

    const stuck = await rawSubscriber(broker.url, 'viewer', 'v-pw', 'viewer:stuck');
    cleanups.push(() => void stuck.socket.destroy());
    stuck.socket.pause(); // reads nothing more: the kernel's buffers fill, then the broker's

    const node = await connected(broker.url, { username: 'node-1', password: 'n1-pw' });
    cleanups.push(() => node.endAsync(true));
    // 16 MB in all, far beyond what loopback socket buffers take.
    const N = 400;
    const payload = (i: number) => `m${i}:` + 'x'.repeat(40_000);
    for (let i = 0; i < N; i++) await node.publishAsync(TOPIC, payload(i), { qos: 1 });
    await waitFor('the ingest session to get every message', () => stored >= N, 30_000);
    expect(stored).toBe(N);

    await waitFor('drops for the stuck subscriber', () => broker.dropped() > 0, 10_000);
    // Of N messages, the stuck client holds at most its window and its queue at the broker
    // (and what the kernel buffered), so most were dropped, and each one counted.
    stuck.socket.resume();
    await waitFor(
      'the stuck subscriber to take what was kept for it',
      () => {
        stuck.ackAll();
        return stuck.publishes.length + broker.dropped() >= N;
      },
      20_000,
    );
    expect(stuck.publishes.length + broker.dropped()).toBe(N);
    expect(broker.dropped()).toBeGreaterThan(N / 2);
    expect(broker.logs.filter((l) => l.includes('too slow')).length).toBe(1);
  }, 90_000);

  it("caps an absent node session's queue at the same total, and keeps the controller's whole", async () => {
    const broker = await layout.start(LIMITS);
    cleanups.push(() => broker.close());
    const COMMANDS = nodeTopic('lab', 'node-1', 'command');
    const session = async (user: string, password: string, clientId: string, filter: string) => {
      const c = await connected(
        broker.url,
        { username: user, password },
        { clientId, clean: false },
      );
      await c.subscribeAsync(filter, { qos: 1 });
      return c;
    };
    // Both keep sessions, subscribe, then go away while commands are sent.
    await (await session('node-1', 'n1-pw', 'node-1:agent', COMMANDS)).endAsync();
    await (await session('controller', 'c-pw', 'controller:tool', 'intelli-mesh/#')).endAsync();
    const sender = await connected(
      broker.url,
      { username: 'controller', password: 'c-pw' },
      { clientId: 'controller:send' },
    );
    cleanups.push(() => sender.endAsync(true));
    const N = 100;
    for (let i = 0; i < N; i++) await sender.publishAsync(COMMANDS, `c${i}`, { qos: 1 });
    await waitFor('the drops to be counted', () => broker.dropped() >= N - 25, 10_000);
    expect(broker.dropped()).toBe(N - 25);

    // The listener is in place before the connection opens: the queue comes right after CONNACK.
    const back = (username: string, password: string, clientId: string) => {
      const got: string[] = [];
      const c = mqtt.connect(broker.url, { username, password, clientId, clean: false });
      c.on('message', (_t, p) => got.push(p.toString()));
      cleanups.push(() => c.endAsync(true));
      return got;
    };
    const agent = back('node-1', 'n1-pw', 'node-1:agent');
    const tool = back('controller', 'c-pw', 'controller:tool');
    await waitFor(
      "the controller's session to get its whole queue",
      () => tool.length >= N,
      10_000,
    );
    expect(tool).toEqual(Array.from({ length: N }, (_, i) => `c${i}`));
    await waitFor("the node's session to get its capped queue", () => agent.length >= 25, 10_000);
    expect(agent).toEqual(Array.from({ length: 25 }, (_, i) => `c${i}`));
    expect(broker.logs.filter((l) => l.includes('away too long')).length).toBe(1);
  }, 60_000);
});

describe('the same limits rendered for Mosquitto', () => {
  it('writes them into mosquitto.conf', async () => {
    const conf = renderMosquittoConfig({
      ...LIMITS,
      configDir: '/etc/mosquitto/intelli-mesh',
      dataDir: '/var/lib/mosquitto',
      port: 1883,
      users: [],
    })['mosquitto.conf'];
    expect(conf).toContain('\nmax_inflight_messages 5\n');
    expect(conf).toContain('\nmax_queued_messages 20\n');
    expect(conf).toContain('\nmax_queued_bytes 1048576\n');
  });

  it.skipIf(!mosquittoAvailable())(
    'a real Mosquitto with them sends a client that never acknowledges 5, then 20 more as it does',
    async () => {
      const broker = await mosquittoBroker.start(
        [
          { username: 'node-1', password: 'n1-pw', role: 'node', site: 'lab' },
          { username: 'viewer', password: 'v-pw', role: 'viewer' },
        ],
        { site: 'lab', mosquitto: LIMITS },
      );
      cleanups.push(() => broker.close());
      const silent = await rawSubscriber(broker.url, 'viewer', 'v-pw', 'viewer');
      cleanups.push(() => void silent.socket.destroy());
      const node = await connected(broker.url, { username: 'node-1', password: 'n1-pw' });
      cleanups.push(() => node.endAsync(true));
      for (let i = 0; i < 100; i++) await node.publishAsync(TOPIC, `m${i}`, { qos: 1 });
      await waitFor('5 messages', () => silent.publishes.length >= 5, 10_000);
      expect(silent.publishes.length).toBe(5);
      await waitFor(
        '25 messages',
        () => {
          silent.ackAll();
          return silent.publishes.length >= 25;
        },
        10_000,
      );
      expect(silent.publishes.map((p) => p.payload)).toEqual(
        Array.from({ length: 25 }, (_, i) => `m${i}`),
      );
    },
    30_000,
  );
});
