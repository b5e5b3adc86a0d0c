/**
 * Issue 12, finding 3: the embedded broker had no size limits. An unauthenticated 200 MB CONNECT
 * was buffered whole (RSS 187 → 376 MB) and retained messages of any size were kept in memory.
 * Now a CONNECT is refused by the size its header announces, any packet over the maximum closes
 * the connection (in Mosquitto too, as rendered), and retained bytes are budgeted per login and
 * in total.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerThread } from '../../src/mqtt/broker-thread.ts';
import { MAX_PAYLOAD_BYTES } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import {
  brokerKinds,
  connected,
  embeddedBroker,
  publishOutcome,
  recorder,
  tryConnect,
  type RunningBroker,
  type TestUser,
} from './mqtt-brokers.ts';

const controller: TestUser = { username: 'controller', password: 'c-pw', role: 'controller' };
const node3: TestUser = { username: 'node-3', password: 'n3-pw', role: 'node', site: 'lab' };
const node4: TestUser = { username: 'node-4', password: 'n4-pw', role: 'node', site: 'lab' };
const viewer: TestUser = { username: 'viewer', password: 'v-pw', role: 'viewer' };
const USERS = [controller, node3, node4, viewer];

/** MQTT's variable-length encoding of a packet's remaining length. */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

/**
 * Opens a raw socket, sends a CONNECT header announcing `claimed` bytes, then streams the body
 * in 64 KiB pieces (each written once the previous one was taken) until the broker closes the
 * connection or `claimed` bytes are sent. Returns the body bytes the socket took.
 */
async function streamHugeConnect(url: string, claimed: number): Promise<{ sent: number }> {
  const { hostname, port } = new URL(url);
  const socket: Socket = netConnect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let closed = false;
  socket.on('error', () => (closed = true));
  socket.on('close', () => (closed = true));
  const piece = Buffer.alloc(64 * 1024, 0x41);
  await new Promise<void>((resolve) =>
    socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(claimed)]), () => resolve()),
  );
  let sent = 0;
  while (!closed && sent < claimed) {
    const ok = await new Promise<boolean>((resolve) => socket.write(piece, (err) => resolve(!err)));
    if (!ok) break;
    sent += piece.length;
  }
  // A broker that keeps reading never closes: the loop ends by sending everything instead.
  socket.destroy();
  return { sent };
}

describe.each(brokerKinds)('MQTT packet size limits: $name', (kind) => {
  let broker: RunningBroker;
  const open: MqttClient[] = [];
  const client = async (user: TestUser) => {
    const c = await connected(broker.url, user);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await kind.start(USERS, { site: 'lab' });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
  });

  it('closes an unauthenticated connection whose CONNECT announces 64 MB, long before 64 MB', async () => {
    const claimed = 64 * 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const { sent } = await streamHugeConnect(broker.url, claimed);
    // Loopback buffers in the kernel take a few MB before the broker's close is seen.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    // The embedded broker's thread shares this process: it did not hold the body.
    if (kind.name === 'embedded') {
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);
    }
    // And the broker still serves: a node logs in afterwards.
    await client(node3);
  });

  it('closes a connection that publishes a packet over the maximum, and passes the largest payload ingest takes', async () => {
    const ctl = await client(controller);
    const rec = recorder(ctl);
    await ctl.subscribeAsync('intelli-mesh/lab/node/+/events', { qos: 1 });
    const node = await client(node3);
    const topic = nodeTopic('lab', 'node-3', 'events');
    const outcome = await publishOutcome(node, topic, Buffer.alloc(MAX_PAYLOAD_BYTES + 4096, 0x61));
    expect(outcome).not.toBe('acked');
    const largest = Buffer.alloc(MAX_PAYLOAD_BYTES, 0x62).toString();
    const again = await client(node3);
    await again.publishAsync(topic, largest, { qos: 1 });
    await rec.until(topic, largest);
    expect(rec.seen.map((m) => m.payload.length)).toEqual([MAX_PAYLOAD_BYTES]);
  });
});

describe('the WebSocket listener has the same packet limit: embedded', () => {
  it('closes a WebSocket connection that publishes a packet over the maximum', async () => {
    const broker = (await embeddedBroker.start(USERS, {
      site: 'lab',
      embedded: { wsPort: 0 },
    })) as BrokerThread;
    try {
      const topic = nodeTopic('lab', 'node-3', 'events');
      const big = await connected(broker.wsUrl!, node3);
      const outcome = await publishOutcome(big, topic, Buffer.alloc(MAX_PAYLOAD_BYTES + 4096));
      big.end(true);
      expect(outcome).not.toBe('acked');
      const fits = await connected(broker.wsUrl!, node3);
      expect(await publishOutcome(fits, topic, Buffer.alloc(MAX_PAYLOAD_BYTES))).toBe('acked');
      await fits.endAsync();
    } finally {
      await broker.close();
    }
  });
});

describe('nothing is queued for an absent viewer: embedded', () => {
  it('refuses a viewer that asks to keep its session, and takes it with a clean one', async () => {
    const broker = await embeddedBroker.start(USERS, { site: 'lab' });
    try {
      // A persistent viewer subscribed to everything would make the broker queue every message
      // while it is away, with no bound.
      const kept = await tryConnect(broker.url, viewer, { clean: false, clientId: 'viewer:k' });
      expect(kept).toMatchObject({ ok: false, returnCode: 5 });
      const clean = await tryConnect(broker.url, viewer, { clean: true, clientId: 'viewer:c' });
      expect(clean.ok).toBe(true);
      if (clean.ok) await clean.client.endAsync();
      // The controller keeps its session: its queue is what makes ingest durable.
      const ctl = await tryConnect(broker.url, controller, { clean: false });
      expect(ctl.ok).toBe(true);
      if (ctl.ok) await ctl.client.endAsync();
    } finally {
      await broker.close();
    }
  });
});

describe('retained bytes are budgeted per login and in total: embedded', () => {
  let broker: RunningBroker;
  const open: MqttClient[] = [];
  const client = async (user: TestUser) => {
    const c = await connected(broker.url, user);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = await embeddedBroker.start(USERS, {
      site: 'lab',
      embedded: { limits: { maxRetainedBytesPerClient: 100_000, maxRetainedBytesTotal: 150_000 } },
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
  });

  it('refuses a retained message over its login budget or the total, and keeps the rest', async () => {
    const kb = (n: number) => Buffer.alloc(n * 1000, 0x61);
    const retain = async (user: TestUser, channel: 'state' | 'config', payload: Buffer) =>
      publishOutcome(await client(user), nodeTopic('lab', user.username, channel), payload, {
        retain: true,
      });
    expect(await retain(node3, 'state', kb(60))).toBe('acked');
    // node-3 would hold 120 kB: over its 100 kB.
    expect(await retain(node3, 'config', kb(60))).not.toBe('acked');
    // Replacing its own value counts once.
    expect(await retain(node3, 'state', kb(90))).toBe('acked');
    expect(await retain(node4, 'state', kb(50))).toBe('acked');
    // 90 + 50 + 20 kB would pass node-4's budget but not the 150 kB total.
    expect(await retain(node4, 'config', kb(20))).not.toBe('acked');

    // A new subscriber gets the admitted values and not the refused ones.
    const late = await client(controller);
    const rec = recorder(late);
    await late.subscribeAsync('intelli-mesh/lab/node/+/state', { qos: 1 });
    await rec.until(nodeTopic('lab', 'node-3', 'state'), kb(90).toString());
    await rec.until(nodeTopic('lab', 'node-4', 'state'), kb(50).toString());
  });
});
