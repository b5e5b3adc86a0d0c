/**
 * The demo's mesh as a simulator scenario: a grid of about `nodes` routers (about 1.5 times as
 * wide as deep, 100 m apart), the four corners gateways with WAN uplinks: wired ethernet on each,
 * and a 4G modem as a second uplink on two of them. Links carry 2 % random loss.
 *
 * @example
 * const { scenario, gateways } = demoScenario({ nodes: 24, seed: 1 });
 * gateways.get('n0'); // [{ name: 'wan', kind: 'ethernet', ... }, { name: 'lte', kind: 'modem', ... }]
 */
import type { Scenario } from '../sim/scenario-schema.ts';
import { validateScenario } from '../sim/scenario.ts';

export interface DemoWan {
  name: string;
  kind: 'ethernet' | 'modem';
  latencyMs: number;
  bandwidthDownKbit: number;
  bandwidthUpKbit: number;
}

export interface DemoLayout {
  scenario: Scenario;
  rows: number;
  cols: number;
  /** WAN uplinks per gateway node. */
  gateways: Map<string, DemoWan[]>;
  /** Metres between neighbouring grid points (for the dashboard's map). */
  spacingM: number;
}

export interface DemoScenarioOptions {
  /** Wanted node count; the grid rounds it to rows x cols. */
  nodes: number;
  seed: number;
  /** @default 0.02 */
  linkLoss?: number;
}

const WEEK_S = 7 * 24 * 3600;

export function demoScenario(o: DemoScenarioOptions): DemoLayout {
  const rows = Math.max(2, Math.round(Math.sqrt(o.nodes / 1.5)));
  const cols = Math.max(2, Math.ceil(o.nodes / rows));
  const corners = [0, cols - 1, (rows - 1) * cols, rows * cols - 1].map((i) => `n${i}`);
  const ethernet = (latencyMs: number, down: number): DemoWan => ({
    name: 'wan',
    kind: 'ethernet',
    latencyMs,
    bandwidthDownKbit: down,
    bandwidthUpKbit: down / 5,
  });
  const lte: DemoWan = {
    name: 'lte',
    kind: 'modem',
    latencyMs: 45,
    bandwidthDownKbit: 30_000,
    bandwidthUpKbit: 5_000,
  };
  const gateways = new Map<string, DemoWan[]>([
    [corners[0]!, [ethernet(12, 100_000), lte]],
    [corners[1]!, [ethernet(18, 50_000)]],
    [corners[2]!, [ethernet(15, 100_000)]],
    [corners[3]!, [ethernet(20, 50_000), { ...lte }]],
  ]);
  const wans = [...gateways].flatMap(([node, list]) =>
    list.map((w, i) => ({
      node,
      name: w.name,
      latency_ms: w.latencyMs,
      loss: 0,
      bandwidth_kbps: 0,
      // The engine starts announcing; from then on the node's agent decides.
      ...(i === 0
        ? { gateway: { down_kbit: w.bandwidthDownKbit, up_kbit: w.bandwidthUpKbit } }
        : {}),
    })),
  );
  const scenario = validateScenario(
    {
      name: `demo-${rows}x${cols}`,
      seed: o.seed,
      duration_s: WEEK_S,
      topology: { kind: 'grid', rows, cols },
      link: { latency_ms: 2, bandwidth_kbps: 0, loss: o.linkLoss ?? 0.02 },
      // OGMs every 500 ms: a crashed gateway is given up after 4 missed OGMs (GATEWAY_STALE_MS)
      // and its clients still move within 3 s, while the 2 % link loss no longer makes a live
      // gateway look dead (two lost OGMs at 1 s did, and nodes switched with no fault).
      routing: { router_miss_limit: 2, originator_interval_ms: 500 },
      wans,
      trace: { control_frames: false, route_changes: false },
    },
    'demo',
  );
  return { scenario, rows, cols, gateways, spacingM: 100 };
}
