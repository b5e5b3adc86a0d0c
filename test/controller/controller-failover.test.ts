/**
 * Issue 15, item 5: two real `intelli-mesh controller` processes on one PostgreSQL database and
 * one broker, nodes publishing numbered events at QoS 1 at a steady rate and counting their
 * PUBACKs; one controller is killed with SIGKILL mid-stream. The survivor must hold every
 * partition within a few seconds (read from PostgreSQL's lock table), answer the API for a
 * logged-in user, and have every acknowledged message in the store exactly once.
 *
 * The same scenario runs on each broker an operator of several controllers may use: one
 * Mosquitto, and a two-server NATS cluster (MQTT over JetStream, test/mqtt/nats-cluster.ts) where
 * each controller and half of the nodes talk to a different server, as an operator spreads them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS } from '../../src/controller/cluster/partition-key.ts';
import type { MosquittoUser } from '../../src/mqtt/mosquitto-config.ts';
import type { NatsUser } from '../../src/mqtt/nats-config.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from '../mqtt/mosquitto-process.ts';
import { natsUnavailable, startNatsCluster } from '../mqtt/nats-cluster.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { partitionHolders } from './partition-holders.ts';
import { postgresUnavailable, startPostgres } from '../postgres/postgres-server.ts';
import { loginToken } from './api-login.ts';

/** Nodes publishing, each its own MQTT login: spread over many partitions. */
const NODES = 8;
/** Publishes in flight per node, as a busy node's outbox would have. */
const IN_FLIGHT = 5;
/** Pause between a node's publishes: 8 nodes × 5 in flight, about 400 messages a second. */
const PAUSE_MS = 10;
const SITE = 'lab';

/** A login as both brokers' renderers take it (the two types have the same fields). */
type BrokerUser = MosquittoUser & NatsUser;

/** A running broker as the scenario uses it. */
interface FailoverBroker {
  /** The `--mqtt-url` of controller `i` (0 is the one killed). */
  controllerUrl(i: 0 | 1): string;
  /** Where node `k` publishes. */
  nodeUrl(k: number): string;
  stop(): Promise<void>;
}

interface BrokerCase {
  name: string;
  /** Why this broker cannot run here, or undefined. */
  skip: string | undefined;
  start(users: BrokerUser[], dir: string): Promise<FailoverBroker>;
}

const BROKERS: BrokerCase[] = [
  {
    name: 'one Mosquitto',
    skip: mosquittoAvailable() ? undefined : 'no mosquitto',
    start: async (users, dir) => {
      const m = await startMosquitto(users, dir);
      return { controllerUrl: () => m.url, nodeUrl: () => m.url, stop: () => m.stop() };
    },
  },
  {
    name: 'a NATS cluster of two servers',
    skip: natsUnavailable(),
    start: async (users) => {
      const cluster = await startNatsCluster(users, { site: SITE });
      const [n1, n2] = cluster.urls as [string, string];
      return {
        // Each controller its own server first, the other as its fallback.
        controllerUrl: (i) => (i === 0 ? `${n1},${n2}` : `${n2},${n1}`),
        nodeUrl: (k) => (k % 2 === 0 ? n1 : n2),
        stop: () => cluster.close(),
      };
    },
  },
];

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const noPostgres = postgresUnavailable();

const event = (node: string, i: number) =>
  JSON.stringify({
    at: 1,
    node,
    kind: 'test',
    subject: 's',
    from: null,
    to: null,
    reason: `k${i}`,
  });

describe.each(BROKERS)('controller failover on PostgreSQL and $name', (broker) => {
  const skip = noPostgres ?? broker.skip;
  it.skipIf(skip !== undefined)(
    'the survivor takes every partition, keeps the API up, and stores each acknowledged message once',
    async () => {
      const postgres = await startPostgres();
      cleanups.push(() => postgres.stop());
      const dbUrl = await postgres.newDatabase();
      const dir = mkdtempSync(join(tmpdir(), 'im-failover-'));
      cleanups.push(() => removeDir(dir));
      const nodes = Array.from({ length: NODES }, (_, i) => `node-${i}`);
      const mqttBroker = await broker.start(
        [
          { username: 'controller-a', password: 'ctl-pw', role: 'controller' },
          { username: 'controller-b', password: 'ctl-pw', role: 'controller' },
          ...nodes.map((n) => ({ username: n, password: `${n}-pw`, role: 'node' as const })),
        ],
        dir,
      );
      cleanups.push(() => mqttBroker.stop());

      const start = async (login: string, i: 0 | 1): Promise<ControllerProcess> => {
        const ctl = await startControllerProcess(
          [
            '--site',
            SITE,
            '--port',
            '0',
            '--db',
            dbUrl,
            '--mqtt-url',
            mqttBroker.controllerUrl(i),
            '--mqtt-username',
            login,
          ],
          {
            env: { INTELLI_MESH_MQTT_PASSWORD: 'ctl-pw', INTELLI_MESH_PASSWORD: 'admin-pw' },
            timeoutMs: 30_000,
          },
        );
        cleanups.push(() => ctl.stop());
        return ctl;
      };
      // One after the other: the first creates the schema and the admin.
      const a = await start('controller-a', 0);
      const b = await start('controller-b', 1);

      const db = new pg.Client({ connectionString: dbUrl });
      await db.connect();
      cleanups.push(() => db.end());
      const half = DEFAULT_PARTITIONS / 2;
      await waitFor(
        'the two controllers to split the partitions',
        async () => {
          const held = [...(await partitionHolders(db)).values()];
          return held.length === 2 && held.every((n) => n === half);
        },
        10_000,
      );
      // Which backend is whose: the one that vanishes with the kill was a's.
      const before = await partitionHolders(db);

      const clients: MqttClient[] = await Promise.all(
        nodes.map((n, k) =>
          mqtt.connectAsync(mqttBroker.nodeUrl(k), {
            username: n,
            password: `${n}-pw`,
            clientId: n,
            reconnectPeriod: 100,
          }),
        ),
      );
      for (const c of clients) cleanups.push(() => c.endAsync(true));
      const acked = new Map<string, Set<number>>(nodes.map((n) => [n, new Set()]));
      const ackedCount = () => [...acked.values()].reduce((sum, s) => sum + s.size, 0);
      let next = 0;
      let sent = 0;
      let stopped = false;
      const publishers = clients.flatMap((client, k) =>
        Array.from({ length: IN_FLIGHT }, async () => {
          const node = nodes[k]!;
          while (!stopped) {
            const i = next++;
            sent++;
            await client.publishAsync(nodeTopic(SITE, node, 'events'), event(node, i), { qos: 1 });
            acked.get(node)!.add(i);
            await new Promise((r) => setTimeout(r, PAUSE_MS));
          }
        }),
      );

      // Mid-stream: hundreds acknowledged, more in flight.
      await waitFor('400 acknowledgements', () => ackedCount() >= 400, 20_000);
      const exited = new Promise((resolve) => a.child.once('exit', resolve));
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      await exited;

      // The survivor holds every partition within a few seconds; nodes keep publishing meanwhile.
      const survivorHolds = await waitFor(
        'the survivor to hold every partition',
        async () => {
          const now = await partitionHolders(db);
          const [pid, n] = [...now][0] ?? [];
          return now.size === 1 && n === DEFAULT_PARTITIONS ? pid : undefined;
        },
        8_000,
        { intervalMs: 50 },
      );
      const takeoverMs = Date.now() - killedAt;
      expect(before.has(survivorHolds)).toBe(true);
      await waitFor('400 more acknowledgements', () => ackedCount() >= 800, 20_000);
      stopped = true;
      await Promise.all(publishers);
      expect(ackedCount()).toBe(sent);

      // The API answers through the survivor for a logged-in user.
      const token = await loginToken(b.url, 'admin', 'admin-pw');
      const api = async (path: string) => {
        const res = await fetch(`${b.url}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        return res.json() as Promise<unknown>;
      };

      // Every acknowledged message stored, exactly once: counted through the survivor's API.
      const storedOf = async (node: string) => {
        const events = (await api(`/api/events?node=${node}&limit=5000`)) as {
          kind: string;
          reason: string;
        }[];
        const copies = new Map<number, number>();
        for (const e of events.filter((x) => x.kind === 'test')) {
          const i = Number(e.reason.slice(1));
          copies.set(i, (copies.get(i) ?? 0) + 1);
        }
        return copies;
      };
      let stored = new Map<string, Map<number, number>>();
      await waitFor(
        'every acknowledged message in the store',
        async () => {
          stored = new Map(
            await Promise.all(nodes.map(async (n) => [n, await storedOf(n)] as const)),
          );
          return nodes.every((n) => [...acked.get(n)!].every((i) => stored.get(n)!.has(i)));
        },
        15_000,
      ).catch(() => {});
      const missing = nodes.flatMap((n) =>
        [...acked.get(n)!].filter((i) => !stored.get(n)!.has(i)),
      );
      const doubled = nodes.flatMap((n) => [...stored.get(n)!].filter(([, c]) => c > 1));
      const storedTotal = nodes.reduce((sum, n) => sum + stored.get(n)!.size, 0);
      const { cluster } = (await api('/api/health')) as {
        cluster: { replayedMessages: number; deduplicatedMessages: number };
      };
      console.log(
        `failover (${broker.name}): acknowledged ${ackedCount()}, stored ${storedTotal}, missing ${missing.length}, ` +
          `doubled ${doubled.length}, survivor held all ${DEFAULT_PARTITIONS} partitions ${takeoverMs} ms after the kill, ` +
          `replayed ${cluster.replayedMessages}, deduplicated ${cluster.deduplicatedMessages}`,
      );
      expect(missing).toEqual([]);
      expect(doubled).toEqual([]);
      expect(storedTotal).toBe(ackedCount());
      expect(takeoverMs).toBeLessThan(5_000);
      // The hand-off went through the survivor's window (the path the kill is meant to exercise).
      expect(cluster.replayedMessages).toBeGreaterThan(0);
      // And the database agrees with the API: one row per acknowledged message.
      const { rows } = await db.query<{ n: string; d: string }>(
        "SELECT count(*) AS n, count(DISTINCT node || reason) AS d FROM events WHERE kind = 'test'",
      );
      expect(Number(rows[0]!.n)).toBe(ackedCount());
      expect(Number(rows[0]!.d)).toBe(ackedCount());
      await api('/api/overview');
    },
    60_000,
  );
});
