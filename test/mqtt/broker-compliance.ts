/**
 * The behaviour every broker we support must show for Intelli-Mesh: credentials required, each
 * node confined to its own prefix, commands only from the controller, last wills, no session
 * takeover. Registered once per broker (embedded Aedes, Mosquitto), and for the embedded one once
 * more per TLS listener (mqtts://, wss://).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTopic, siteFilter } from '../../src/mqtt/topics.ts';

export const COMPLIANCE_USERS = [
  { username: 'controller', password: 'controller-pw', role: 'controller' },
  { username: 'viewer', password: 'viewer-pw', role: 'viewer' },
  { username: 'node-3', password: 'node-3-pw', role: 'node' },
  { username: 'node-4', password: 'node-4-pw', role: 'node' },
] as const;

export interface BrokerUnderTest {
  url: string;
  /** What every client needs to reach it (the CA of an mqtts:// or wss:// url). */
  clientOptions?: IClientOptions;
  close(): Promise<void>;
}

const SITE = 'lab';

function passwordOf(username: string): string {
  return COMPLIANCE_USERS.find((u) => u.username === username)?.password ?? 'unknown';
}

/** Connects and resolves once CONNACK accepted, or rejects with the broker's refusal. */
function connect(url: string, username: string | undefined, extra: IClientOptions = {}) {
  const client = mqtt.connect(url, {
    username,
    password: username ? passwordOf(username) : undefined,
    clientId: username ?? 'anonymous',
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...extra,
  });
  return new Promise<MqttClient>((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Resolves when the publish completed (PUBACK) or the broker dropped the connection for it. */
function publishOutcome(client: MqttClient, topic: string, payload: string): Promise<string> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, { qos: 1 }, (err) => resolve(err ? 'error' : 'acked'));
  });
}

/** Collects what `client` receives; `until(topic, payload)` waits for one message. */
function recorder(client: MqttClient) {
  const seen: { topic: string; payload: string }[] = [];
  const waiters: { topic: string; payload: string; resolve: () => void }[] = [];
  client.on('message', (topic, payload) => {
    const m = { topic, payload: payload.toString() };
    seen.push(m);
    for (const w of waiters.filter((w) => w.topic === m.topic && w.payload === m.payload)) {
      w.resolve();
    }
  });
  return {
    seen,
    until: (topic: string, payload: string) =>
      seen.some((m) => m.topic === topic && m.payload === payload)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ topic, payload, resolve })),
  };
}

export function brokerCompliance(name: string, start: () => Promise<BrokerUnderTest>): void {
  describe(`MQTT broker compliance: ${name}`, () => {
    let broker: BrokerUnderTest;
    const open: MqttClient[] = [];
    const connectTo = (username: string | undefined, extra: IClientOptions = {}) =>
      connect(broker.url, username, { ...broker.clientOptions, ...extra });
    const client = async (username: string | undefined, extra: IClientOptions = {}) => {
      const c = await connectTo(username, extra);
      open.push(c);
      return c;
    };

    beforeAll(async () => {
      broker = await start();
    });
    afterAll(async () => {
      await Promise.all(open.map((c) => c.endAsync(true)));
      await broker.close();
    });

    it('refuses anonymous clients and wrong passwords', async () => {
      await expect(connectTo(undefined)).rejects.toThrow();
      await expect(
        connectTo('node-3', { password: 'wrong', clientId: 'node-3' }),
      ).rejects.toThrow();
    });

    it('lets a node publish its own state to the controller', async () => {
      const controller = await client('controller');
      const rec = recorder(controller);
      await controller.subscribeAsync(siteFilter(SITE), { qos: 1 });
      const node = await client('node-3');
      const topic = nodeTopic(SITE, 'node-3', 'state');
      await node.publishAsync(topic, '{"ok":1}', { qos: 1 });
      await rec.until(topic, '{"ok":1}');
    });

    it('drops what a node publishes under another node or on a command topic', async () => {
      const controller = await client('controller');
      const rec = recorder(controller);
      await controller.subscribeAsync(siteFilter(SITE), { qos: 1 });
      const intruder = await client('node-3', { clientId: 'node-3:intruder' });
      const spoofed = nodeTopic(SITE, 'node-4', 'state');
      const command = nodeTopic(SITE, 'node-4', 'command');
      await publishOutcome(intruder, spoofed, 'spoofed');
      const again = intruder.connected
        ? intruder
        : await client('node-3', { clientId: 'node-3:b' });
      await publishOutcome(again, command, 'reboot');
      // A later message from the real node-4 arrives after anything the broker let through.
      const node4 = await client('node-4');
      const marker = nodeTopic(SITE, 'node-4', 'events');
      await node4.publishAsync(marker, 'marker', { qos: 1 });
      await rec.until(marker, 'marker');
      expect(rec.seen.map((m) => m.payload)).not.toContain('spoofed');
      expect(rec.seen.map((m) => m.payload)).not.toContain('reboot');
    });

    it('delivers a command only to its node, and only from the controller', async () => {
      const node3 = await client('node-3');
      const node4 = await client('node-4');
      const rec3 = recorder(node3);
      const rec4 = recorder(node4);
      await node3.subscribeAsync(nodeTopic(SITE, 'node-3', 'command'), { qos: 1 });
      await node4.subscribeAsync(nodeTopic(SITE, 'node-4', 'command'), { qos: 1 });
      const controller = await client('controller');
      await controller.publishAsync(nodeTopic(SITE, 'node-3', 'command'), 'c1', { qos: 1 });
      await controller.publishAsync(nodeTopic(SITE, 'node-4', 'command'), 'c2', { qos: 1 });
      await rec3.until(nodeTopic(SITE, 'node-3', 'command'), 'c1');
      await rec4.until(nodeTopic(SITE, 'node-4', 'command'), 'c2');
      expect(rec3.seen.map((m) => m.payload)).toEqual(['c1']);
      expect(rec4.seen.map((m) => m.payload)).toEqual(['c2']);
    });

    it("never delivers another node's commands to a node, whatever it subscribes", async () => {
      const node = await client('node-3');
      const rec = recorder(node);
      // Aedes refuses these filters in SUBACK; Mosquitto grants them but filters on delivery.
      await node
        .subscribeAsync([nodeTopic(SITE, 'node-4', 'command'), 'intelli-mesh/#'], { qos: 1 })
        .catch(() => undefined);
      await node.subscribeAsync(nodeTopic(SITE, 'node-3', 'command'), { qos: 1 });
      const controller = await client('controller');
      await controller.publishAsync(nodeTopic(SITE, 'node-4', 'command'), 'for-4', { qos: 1 });
      await controller.publishAsync(nodeTopic(SITE, 'node-3', 'command'), 'for-3', { qos: 1 });
      await rec.until(nodeTopic(SITE, 'node-3', 'command'), 'for-3');
      expect(rec.seen.map((m) => m.payload)).not.toContain('for-4');
    });

    it('never lets a viewer publish', async () => {
      const controller = await client('controller');
      const rec = recorder(controller);
      await controller.subscribeAsync(siteFilter(SITE), { qos: 1 });
      const viewer = await client('viewer');
      await publishOutcome(viewer, nodeTopic(SITE, 'node-3', 'command'), 'from-viewer');
      const node3 = await client('node-3');
      await node3.publishAsync(nodeTopic(SITE, 'node-3', 'events'), 'marker-v', { qos: 1 });
      await rec.until(nodeTopic(SITE, 'node-3', 'events'), 'marker-v');
      expect(rec.seen.map((m) => m.payload)).not.toContain('from-viewer');
    });

    it("publishes a node's last will on its own status, and never on another's", async () => {
      const controller = await client('controller');
      const rec = recorder(controller);
      await controller.subscribeAsync(siteFilter(SITE), { qos: 1 });
      const own = nodeTopic(SITE, 'node-3', 'status');
      const dying = await client('node-3', {
        clientId: 'node-3',
        will: { topic: own, payload: Buffer.from('offline'), qos: 1, retain: false },
      });
      dying.stream.destroy();
      await rec.until(own, 'offline');

      const other = nodeTopic(SITE, 'node-4', 'status');
      const liar = await connectTo('node-3', {
        clientId: 'node-3:liar',
        will: { topic: other, payload: Buffer.from('forged-offline'), qos: 1, retain: false },
      }).catch(() => undefined);
      liar?.stream.destroy();
      const node4 = await client('node-4');
      await node4.publishAsync(nodeTopic(SITE, 'node-4', 'events'), 'marker-w', { qos: 1 });
      await rec.until(nodeTopic(SITE, 'node-4', 'events'), 'marker-w');
      expect(rec.seen.map((m) => m.payload)).not.toContain('forged-offline');
    });

    it('keeps every QoS 1 message for a persistent subscriber that was away', async () => {
      const opts = { clientId: 'controller', clean: false } as const;
      const first = await connectTo('controller', opts);
      await first.subscribeAsync(siteFilter(SITE), { qos: 1 });
      await first.endAsync();
      const node = await client('node-3');
      const topic = nodeTopic(SITE, 'node-3', 'metrics');
      // More than Mosquitto's default per-client queue of 1000, which silently drops the rest.
      const count = 3000;
      await Promise.all(
        Array.from({ length: count }, (_, i) => node.publishAsync(topic, String(i), { qos: 1 })),
      );
      // Redelivered in-flight messages may come after queued ones, so count rather than wait
      // for the last; a broker that dropped some never gets there and times out.
      const got = new Set<string>();
      await new Promise<void>((resolve) => {
        // The listener is in place before the connection opens on the next tick.
        const back = mqtt.connect(broker.url, {
          ...broker.clientOptions,
          ...opts,
          username: 'controller',
          password: passwordOf('controller'),
          reconnectPeriod: 0,
        });
        open.push(back);
        back.on('message', (t, payload) => {
          if (t === topic) got.add(payload.toString());
          if (got.size === count) resolve();
        });
      });
      expect([...got].map(Number).sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
    });

    it("does not let one node take over another's session by client id", async () => {
      const victim = await client('node-3', { clientId: 'node-3' });
      let kicked = false;
      victim.on('close', () => (kicked = true));
      await connectTo('node-4', { clientId: 'node-3' })
        .then((c) => open.push(c))
        .catch(() => undefined);
      // A round trip on the victim's connection after the attempt: a kicked client has no puback.
      await victim.publishAsync(nodeTopic(SITE, 'node-3', 'events'), 'still-here', { qos: 1 });
      expect(kicked).toBe(false);
    });
  });
}
