/**
 * Expands a scenario's `chaos` block into concrete faults: at exponentially distributed
 * intervals, a random node crash, link cut or WAN failure, each healed `heal_after_s` later.
 * Uses its own seeded stream, so the same seed gives the same faults.
 *
 * @example
 * chaosFaults(scenario, topology, seededRandom(1).fork('chaos')).length; // a few dozen
 */
import type { Random } from '../core/random.ts';
import type { FaultSpec, Scenario } from './scenario-schema.ts';
import type { Topology } from './topology.ts';

export function chaosFaults(s: Scenario, topo: Topology, rng: Random): FaultSpec[] {
  const c = s.chaos;
  if (!c) return [];
  const out: FaultSpec[] = [];
  const wans = s.wans.map((w) => `${w.node}/${w.name}`);
  const kinds = c.kinds.filter((k) => !k.startsWith('wan-') || wans.length > 0);
  if (kinds.length === 0) return out;
  let t = c.start_s;
  for (;;) {
    t += -Math.log(1 - rng.next()) * c.mean_interval_s;
    if (t >= c.stop_s) break;
    const at = Math.round(t * 1000) / 1000;
    const heal = Math.round((t + c.heal_after_s) * 1000) / 1000;
    const kind = kinds[rng.int(kinds.length)]!;
    if (kind === 'node-crash') {
      const target = topo.nodes[rng.int(topo.nodes.length)]!.name;
      out.push({ kind, at_s: at, target }, { kind: 'node-boot', at_s: heal, target });
    } else if (kind === 'link-cut') {
      if (topo.links.length === 0) continue;
      const l = topo.links[rng.int(topo.links.length)]!;
      const target = `${l.a}-${l.b}`;
      out.push({ kind, at_s: at, target }, { kind: 'link-heal', at_s: heal, target });
    } else {
      const target = wans[rng.int(wans.length)]!;
      out.push({ kind, at_s: at, target }, { kind: 'wan-up', at_s: heal, target });
    }
  }
  return out.filter((f) => f.at_s <= s.duration_s);
}
