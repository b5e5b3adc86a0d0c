/**
 * Prometheus metrics at `/metrics`, computed from the store at scrape time: nodes online, WAN
 * states and latencies, open alerts, ingest counters, the MQTT session's counters.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchingSessionStats } from '../../mqtt/batching-session.ts';
import type { IngestStats } from '../ingest.ts';
import type { ControllerStore } from '../store/controller-store.ts';

export function prometheusRegistry(
  store: ControllerStore,
  ingest: () => IngestStats,
  mqtt?: () => Readonly<BatchingSessionStats>,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'intelli_mesh_controller_' });

  new Gauge({
    name: 'intelli_mesh_nodes',
    help: 'Nodes known to the controller, by online state',
    labelNames: ['online'],
    registers: [registry],
    collect() {
      const nodes = store.nodes.list();
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
    collect() {
      this.reset();
      for (const n of store.nodes.list()) {
        for (const w of n.state?.wans ?? []) {
          const up = n.online && (w.state === 'up' || w.state === 'degraded');
          this.set({ node: n.node, wan: w.name, kind: w.kind }, up ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'intelli_mesh_wan_latency_ms',
    help: 'Last reported WAN probe latency',
    labelNames: ['node', 'wan'],
    registers: [registry],
    collect() {
      this.reset();
      for (const n of store.nodes.list()) {
        for (const w of n.state?.wans ?? []) {
          if (w.latency_ms != null) this.set({ node: n.node, wan: w.name }, w.latency_ms);
        }
      }
    },
  });
  new Gauge({
    name: 'intelli_mesh_alerts_open',
    help: 'Open alerts by severity',
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const sev of ['critical', 'warning', 'info'] as const) this.set({ severity: sev }, 0);
      for (const a of store.alerts.listOpen()) this.inc({ severity: a.severity });
    },
  });
  new Gauge({
    name: 'intelli_mesh_ingest_messages',
    help: 'MQTT messages ingested since start, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const s = ingest();
      this.set({ outcome: 'accepted' }, s.accepted);
      this.set({ outcome: 'rejected' }, s.rejected);
    },
  });
  if (mqtt) {
    new Gauge({
      name: 'intelli_mesh_mqtt_session',
      help: 'The controller MQTT session since start: connections, batches stored, malformed packets from the broker, batches the store refused',
      labelNames: ['counter'],
      registers: [registry],
      collect() {
        const s = mqtt();
        this.set({ counter: 'connects' }, s.connects);
        this.set({ counter: 'batches' }, s.batches);
        this.set({ counter: 'bad_packets' }, s.badPackets);
        this.set({ counter: 'failed_batches' }, s.failedBatches);
      },
    });
  }
  return registry;
}
