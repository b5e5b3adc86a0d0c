/**
 * What the controller's batching MQTT session must do against every broker we support:
 * acknowledge a batch only once its handler returned (a failed batch comes back), group what
 * arrives together, keep the connection alive, resume its persistent session after losing the
 * connection, publish commands at QoS 1, and refuse a bad login clearly. Registered once per
 * real broker (embedded Aedes, Mosquitto).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import {
  BatchingSession,
  type BatchingSessionOptions,
  type InboundMessage,
} from '../../src/mqtt/batching-session.ts';
import { nodeTopic, siteFilter } from '../../src/mqtt/topics.ts';

export const SESSION_USERS = [
  { username: 'controller', password: 'controller-pw', role: 'controller' },
  { username: 'node-3', password: 'node-3-pw', role: 'node' },
] as const;

export interface SessionBroker {
  url: string;
  wsUrl?: string;
  /** Breaks the controller's connection (Aedes: drops its socket; Mosquitto: restarts). */
  interrupt(clientId: string): Promise<void>;
  /** Whether it sets DUP on a redelivered PUBLISH (MQTT 3.1.1 3.3.1.1); Aedes 1.2 does not. */
  marksRedeliveries: boolean;
  /** Stops the broker answering anything, until the returned function is called. */
  freeze?(): () => void;
  close(): Promise<void>;
}

const SITE = 'lab';
const scheduler = new RealScheduler();

/** Resolves when `check` holds, polling on real events; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sessionCompliance(name: string, start: () => Promise<SessionBroker>): void {
  describe(`controller MQTT session: ${name}`, () => {
    let broker: SessionBroker;
    const sessions: BatchingSession[] = [];
    const clients: MqttClient[] = [];
    let clientSeq = 0;

    beforeAll(async () => {
      broker = await start();
    });
    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    });
    afterAll(async () => {
      await broker.close();
    });

    // Each test its own client id: persistent sessions must not leak from one test to the next.
    const open = async (extra: Partial<BatchingSessionOptions> = {}) => {
      const seen: InboundMessage[] = [];
      const clientId = `controller:t${++clientSeq}-${name.replace(/\W/g, '')}`;
      const session = await BatchingSession.connect({
        url: broker.url,
        clientId,
        username: 'controller',
        password: 'controller-pw',
        scheduler,
        subscriptions: [{ topic: siteFilter(SITE), qos: 1 }],
        onBatch: (batch) => {
          seen.push(...batch);
        },
        reconnectPeriodMs: 100,
        ...extra,
      });
      sessions.push(session);
      return { session, seen, clientId };
    };
    const node = async () => {
      const client = await mqtt.connectAsync(broker.url, {
        username: 'node-3',
        password: 'node-3-pw',
        clientId: 'node-3',
        reconnectPeriod: 100,
      });
      clients.push(client);
      return client;
    };
    const event = (reason: string) =>
      JSON.stringify({
        at: 1,
        node: 'node-3',
        kind: 'test',
        subject: 's',
        from: null,
        to: null,
        reason,
      });
    const eventsTopic = nodeTopic(SITE, 'node-3', 'events');
    const reasons = (seen: readonly InboundMessage[]) =>
      seen.map((m) => (JSON.parse(m.payload.toString()) as { reason: string }).reason);

    it('acknowledges a batch only after its handler returned: a failed batch comes back', async () => {
      const stored: InboundMessage[] = [];
      const failed: InboundMessage[] = [];
      let failOnce = true;
      const { session } = await open({
        onBatch: (batch) => {
          if (failOnce) {
            failOnce = false;
            failed.push(...batch);
            throw new Error('disk full (simulated)');
          }
          stored.push(...batch);
        },
      });
      const errors: Error[] = [];
      session.on('error', (err) => errors.push(err));
      const client = await node();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          client.publishAsync(eventsTopic, event(`m${i}`), { qos: 1 }),
        ),
      );
      await until('all 50 stored', () => new Set(reasons(stored)).size === 50);
      expect(session.stats.failedBatches).toBe(1);
      expect(errors.map((e) => e.name)).toContain('BatchHandlerError');
      expect(failed.length).toBeGreaterThan(0);
      // Every message of the failed batch was delivered again.
      const again = stored.filter((m) => reasons(failed).includes(reasons([m])[0]!));
      expect(new Set(reasons(again))).toEqual(new Set(reasons(failed)));
      if (broker.marksRedeliveries) expect(again.every((m) => m.dup)).toBe(true);
    });

    it('hands over what arrives together as one batch, each message once', async () => {
      const { session, seen } = await open();
      const client = await node();
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          client.publishAsync(eventsTopic, event(`b${i}`), { qos: 1 }),
        ),
      );
      await until('500 messages', () => seen.length >= 500);
      expect(new Set(reasons(seen)).size).toBe(500);
      expect(seen.length).toBe(500);
      expect(session.stats.largestBatch).toBeGreaterThan(1);
      expect(session.stats.batches).toBeLessThan(500);
    });

    it('keeps an idle connection alive with PINGREQ', async () => {
      const { session } = await open({ keepaliveS: 1 });
      await until('two answered pings', () => session.stats.pingsAnswered >= 2, 10_000);
      expect(session.stats.connects).toBe(1);
      expect(session.connected).toBe(true);
    });

    it('reconnects after losing its connection and gets what was queued meanwhile', async () => {
      const connects: boolean[] = [];
      // Long enough for a node to connect and publish 20 messages while the session is away,
      // also on a loaded machine where Mosquitto's 210,000-iteration PBKDF2 check takes a while.
      const { session, seen, clientId } = await open({ reconnectPeriodMs: 4_000 });
      session.on('connect', (present) => connects.push(present));
      const offline = new Promise((resolve) => session.once('offline', resolve));
      await broker.interrupt(clientId);
      await offline;
      expect(session.connected).toBe(false);
      const client = await node();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.publishAsync(eventsTopic, event(`q${i}`), { qos: 1 }),
        ),
      );
      // The broker took all 20 while the session was away: they were queued for it.
      const queuedWhileAway = !session.connected;
      await until('the 20 queued messages', () => new Set(reasons(seen)).size === 20);
      expect(queuedWhileAway).toBe(true);
      expect(session.stats.connects).toBe(2);
      expect(connects).toEqual([true]);
    });

    it('publishes commands at QoS 1 and resolves on the broker PUBACK', async () => {
      const { session } = await open();
      const client = await node();
      const commandTopic = nodeTopic(SITE, 'node-3', 'command');
      await client.subscribeAsync(commandTopic, { qos: 1 });
      const got = new Promise<string>((resolve) =>
        client.on('message', (topic, payload) => {
          if (topic === commandTopic) resolve(payload.toString());
        }),
      );
      await session.publish(commandTopic, '{"id":"c1","kind":"ping"}', { qos: 1 });
      expect(await got).toBe('{"id":"c1","kind":"ping"}');
    });

    it('refuses a wrong password with an error naming the user', async () => {
      const err = await open({ password: 'wrong' }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('SessionConnectError');
      expect((err as Error).message).toMatch(
        /refused the login of 'controller': (bad username or password|not authorised)/,
      );
    });

    it('detects a broker that stops answering and comes back when it does', async (ctx) => {
      if (!broker.freeze) ctx.skip();
      const { session } = await open({ keepaliveS: 1, reconnectPeriodMs: 100 });
      const lost = new Promise<Error | undefined>((resolve) => session.once('offline', resolve));
      const thaw = broker.freeze!();
      let reason: Error | undefined;
      try {
        reason = await lost;
      } finally {
        thaw();
      }
      expect(reason?.name).toBe('KeepaliveTimeoutError');
      await until('reconnected', () => session.connected && session.stats.connects === 2);
    });

    it('works over WebSocket too', async (ctx) => {
      if (!broker.wsUrl) ctx.skip();
      const { seen } = await open({ url: broker.wsUrl! });
      const client = await node();
      await client.publishAsync(eventsTopic, event('over-ws'), { qos: 1 });
      await until('the message over ws://', () => reasons(seen).includes('over-ws'));
    });
  });
}
