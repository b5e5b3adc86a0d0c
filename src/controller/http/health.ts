/**
 * `GET /api/health`, for load balancers, systemd watchdogs and people: the broker, the store and
 * the ingest each say whether they work, and the whole is `ok` only when all three do; otherwise
 * the answer is HTTP 503, so a probe that reads only the status code sees the failure too.
 * `mqtt_connected` is kept from the earlier, single-field answer.
 *
 * @example
 * registerHealth(app, { store, mqttConnected: () => link.connected, broker: () => sup.health() });
 * // GET /api/health -> 200 {"ok":true,"mqtt_connected":true,"broker":{"ok":true,...},"store":{"ok":true},"ingest":{"ok":true,"lagMs":0,...}}
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import type { BrokerHealth } from '../../mqtt/broker-supervisor.ts';
import type { BatchingSessionStats } from '../../mqtt/batching-session.ts';
import type { ClusterHealth, NoCluster } from '../cluster/cluster-report.ts';
import type { ControllerStore } from '../store/controller-store.ts';

export interface HealthSources {
  store: ControllerStore;
  mqttConnected: () => boolean;
  mqttStats?: (() => Readonly<BatchingSessionStats>) | undefined;
  /** The embedded broker's own health; absent with an external broker (then: connected or not). */
  broker?: (() => BrokerHealth) | undefined;
  /** This process's part in a controller cluster (PostgreSQL); absent on a single process. */
  cluster?: (() => ClusterHealth) | undefined;
}

export interface HealthReport {
  ok: boolean;
  mqtt_connected: boolean;
  broker: BrokerHealth | { ok: boolean; layout: 'external' };
  store: { ok: boolean; error?: string };
  ingest: { ok: boolean; connected: boolean; lagMs: number; failedBatches: number };
  /** Informative: the API and this process's ingest work without it (docs/cluster.md). */
  cluster: ClusterHealth | NoCluster;
}

/** An event loop this late cannot be ingesting: messages wait unread in the socket. */
const STALLED_MS = 10_000;

/** Whether the database still answers a query that reads the file. */
async function storeHealth(store: ControllerStore): Promise<HealthReport['store']> {
  try {
    await store.check();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export function registerHealth(app: FastifyInstance, sources: HealthSources): void {
  // Ingest runs in this event loop: its delay is how long a message read from the broker waits.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  app.addHook('onClose', async () => loop.disable());

  app.get('/api/health', async (_request, reply) => {
    const connected = sources.mqttConnected();
    const lagMs = Math.round(loop.max / 1e6);
    loop.reset();
    const report: HealthReport = {
      ok: false,
      mqtt_connected: connected,
      broker: sources.broker?.() ?? { ok: connected, layout: 'external' },
      store: await storeHealth(sources.store),
      ingest: {
        ok: connected && lagMs < STALLED_MS,
        connected,
        lagMs,
        failedBatches: sources.mqttStats?.().failedBatches ?? 0,
      },
      cluster: sources.cluster?.() ?? { enabled: false },
    };
    report.ok = report.broker.ok && report.store.ok && report.ingest.ok;
    return reply.code(report.ok ? 200 : 503).send(report);
  });
}
