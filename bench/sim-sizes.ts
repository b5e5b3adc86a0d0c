/**
 * The scenarios the benches share: random geometric meshes of a given size whose area grows
 * with the node count, so the mean degree stays about the same (about 10 neighbours).
 */
import { parseScenario, validateScenario } from '../src/sim/scenario.ts';
import type { Scenario } from '../src/sim/scenario-schema.ts';

export function meshOfSize(nodes: number, durationS: number, seed = 1): Scenario {
  const side = Math.round(400 * Math.sqrt(nodes / 25));
  return validateScenario(
    {
      name: `random-${nodes}`,
      seed,
      duration_s: durationS,
      topology: { kind: 'random-geometric', nodes, width: side, height: side, range: 140 },
      link: { latency_ms: 2, bandwidth_kbps: 6000, loss: 0.02 },
      traffic: { random_flows: { count: 10, rate_pps: 5, start_s: 5 } },
    },
    `random-${nodes}`,
  );
}

/** The 5x5 grid of the ns-3 comparison (issue 16): 2 ms links, `loss`, 10 random flows at 5 pps. */
export function grid5x5(durationS: number, loss: number, flows: boolean): Scenario {
  return parseScenario(
    `name: grid-5x5
seed: 1
duration_s: ${durationS}
topology: { kind: grid, rows: 5, cols: 5 }
link: { latency_ms: 2, bandwidth_kbps: 6000, loss: ${loss} }
traffic: ${flows ? '{ random_flows: { count: 10, rate_pps: 5, start_s: 5 } }' : '{ flows: [] }'}
`,
    'grid-5x5',
  );
}

export const machine = '2 cores (shared), Debian 12, Node 20';
export const today = new Date().toISOString().slice(0, 10);

/**
 * Scenario `routing` blocks the routing benches compare: the engine as it is, the engine as it
 * was before the fast-convergence additions (only routerMissLimit 1 on top of batman-adv), and
 * plain batman-adv arithmetic.
 */
export const ROUTING_VARIANTS = {
  default: {},
  /** The engine without holdEarlyOgms (h16-boot): a booted node drops copies via unconfirmed links. */
  'no-hold-early-ogms': { hold_early_ogms: false },
  'missLimit1-only': {
    neighbour_loss_factor: 0,
    originator_silence_ms: 0,
    clear_stale_tq: false,
    recheck_forwards: false,
    fast_start_ogms: 0,
    hold_early_ogms: false,
    scale_young_windows: false,
  },
  'plain-batman-adv': {
    router_miss_limit: 0,
    neighbour_loss_factor: 0,
    originator_silence_ms: 0,
    clear_stale_tq: false,
    recheck_forwards: false,
    fast_start_ogms: 0,
    hold_early_ogms: false,
    scale_young_windows: false,
  },
} as const;
