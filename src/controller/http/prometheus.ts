/**
 * Prometheus metrics at `/metrics`, computed from the store at scrape time: nodes online, WAN
 * states, latencies and loss, open alerts, ingest counters, the MQTT session's counters, the
 * embedded broker's drops for slow clients.
 *
 * Names follow Prometheus conventions so `promtool check metrics` passes: base units in the
 * name (`_seconds`, `_ratio`, `_bytes`), `_total` only on counters, a help text on each. The
 * renames from earlier versions are listed in docs/deployment.md ("Metrics").
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchingSessionStats } from '../../mqtt/batching-session.ts';
import type { BrokerHealth } from '../../mqtt/broker-supervisor.ts';
import type { IngestStats } from '../ingest.ts';
import type { ControllerStore } from '../store/controller-store.ts';

const PREFIX = 'intelli_mesh_controller_';

/**
 * prom-client's default metrics include three gauges named `*_total`, which Prometheus reserves
 * for counters; their totals are the sum of the same gauges without the suffix, so they go.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** A counter whose value is kept elsewhere (a stats object): set at each scrape. */
function mirroredCounter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  values: () => [Record<string, string>, number][],
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [labels, v] of values()) this.inc(labels, v);
    },
  });
}

export function prometheusRegistry(
  store: ControllerStore,
  ingest: () => IngestStats,
  mqtt?: () => Readonly<BatchingSessionStats>,
  broker?: () => BrokerHealth,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(`${PREFIX}${name}`);

  new Gauge({
    name: 'intelli_mesh_nodes',
    help: 'Nodes known to the controller, by online state',
    labelNames: ['online'],
    registers: [registry],
    async collect() {
      const nodes = await store.nodes.list();
      const online = nodes.filter((n) => n.online).length;
      this.set({ online: 'true' }, online);
      this.set({ online: 'false' }, nodes.length - online);
    },
  });
  new Gauge({
    name: 'intelli_mesh_wan_up',
    help: '1 when the WAN is up or degraded, 0 when down or unknown',
    labelNames: ['node', 'wan', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const n of await store.nodes.list()) {
        for (const w of n.state?.wans ?? []) {
          const up = n.online && (w.state === 'up' || w.state === 'degraded');
          this.set({ node: n.node, wan: w.name, kind: w.kind }, up ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'intelli_mesh_wan_latency_seconds',
    help: 'Last reported WAN probe round-trip time, in seconds',
    labelNames: ['node', 'wan'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const n of await store.nodes.list()) {
        for (const w of n.state?.wans ?? []) {
          if (w.latency_ms != null) this.set({ node: n.node, wan: w.name }, w.latency_ms / 1000);
        }
      }
    },
  });
  new Gauge({
    name: 'intelli_mesh_wan_loss_ratio',
    help: 'Last reported share of WAN probes lost, 0 to 1',
    labelNames: ['node', 'wan'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const n of await store.nodes.list()) {
        for (const w of n.state?.wans ?? []) {
          if (w.loss != null) this.set({ node: n.node, wan: w.name }, w.loss);
        }
      }
    },
  });
  new Gauge({
    name: 'intelli_mesh_alerts_open',
    help: 'Open alerts by severity',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const sev of ['critical', 'warning', 'info'] as const) this.set({ severity: sev }, 0);
      for (const a of await store.alerts.listOpen()) this.inc({ severity: a.severity });
    },
  });
  mirroredCounter(
    registry,
    'intelli_mesh_ingest_messages_total',
    'MQTT messages ingested since the controller started, by outcome',
    ['outcome'],
    () => {
      const s = ingest();
      return [
        [{ outcome: 'accepted' }, s.accepted],
        [{ outcome: 'rejected' }, s.rejected],
      ];
    },
  );
  if (mqtt) {
    const session = (
      name: string,
      help: string,
      pick: (s: Readonly<BatchingSessionStats>) => number,
    ) => mirroredCounter(registry, name, help, [], () => [[{}, pick(mqtt())]]);
    session(
      'intelli_mesh_mqtt_connects_total',
      'Connections of the controller MQTT session to the broker since start',
      (s) => s.connects,
    );
    session(
      'intelli_mesh_mqtt_batches_total',
      'Message batches the controller MQTT session stored since start',
      (s) => s.batches,
    );
    session(
      'intelli_mesh_mqtt_bad_packets_total',
      'Malformed packets the controller MQTT session received from the broker since start',
      (s) => s.badPackets,
    );
    session(
      'intelli_mesh_mqtt_failed_batches_total',
      'Message batches the store refused since start',
      (s) => s.failedBatches,
    );
  }
  if (broker) {
    mirroredCounter(
      registry,
      'intelli_mesh_mqtt_broker_dropped_messages_total',
      'Messages the embedded broker dropped for clients too slow to take them (their queue was full) since start',
      [],
      () => [[{}, broker().droppedMessages ?? 0]],
    );
  }
  return registry;
}
