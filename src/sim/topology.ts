/**
 * Builds the node list and link list of a scenario: a line, a grid, a random geometric graph
 * (nodes placed uniformly, linked within radio range) or an explicit list. Node `i` is named
 * `n<i>` and gets mesh address i + 1 (explicit topologies keep their names).
 *
 * @example
 * buildTopology(parsed).links.length; // 4 for a line of 5
 */
import { seededRandom } from '../core/random.ts';
import { ScenarioError } from './errors.ts';
import type { LinkParams } from './link-params.ts';
import type { LinkSpec, Scenario } from './scenario-schema.ts';

export interface TopologyNode {
  name: string;
  address: number;
  x: number;
  y: number;
}

export interface TopologyLink {
  a: string;
  b: string;
  params: LinkParams;
  back: LinkParams;
}

export interface Topology {
  nodes: TopologyNode[];
  links: TopologyLink[];
}

type LinkOverride = Partial<Omit<LinkSpec, 'burst'>> & { burst?: LinkSpec['burst'] | undefined };

export function toLinkParams(base: LinkSpec, o: LinkOverride = {}): LinkParams {
  const burst = o.burst ?? base.burst;
  return {
    latencyMs: o.latency_ms ?? base.latency_ms,
    bandwidthKbps: o.bandwidth_kbps ?? base.bandwidth_kbps,
    loss: o.loss ?? base.loss,
    burst: burst
      ? { pGoodToBad: burst.p_good_bad, pBadToGood: burst.p_bad_good, lossBad: burst.loss_bad }
      : undefined,
    up: true,
  };
}

export function buildTopology(s: Scenario, file = 'scenario'): Topology {
  const t = s.topology;
  const nodes: TopologyNode[] = [];
  const links: TopologyLink[] = [];
  const link = (a: string, b: string, o?: LinkOverride, back?: LinkOverride): void => {
    const params = toLinkParams(s.link, o);
    links.push({
      a,
      b,
      params,
      back: back ? toLinkParams(s.link, { ...o, ...back }) : { ...params },
    });
  };
  switch (t.kind) {
    case 'line':
      for (let i = 0; i < t.nodes; i++) nodes.push({ name: `n${i}`, address: i + 1, x: i, y: 0 });
      for (let i = 1; i < t.nodes; i++) link(`n${i - 1}`, `n${i}`);
      break;
    case 'grid':
      for (let r = 0; r < t.rows; r++) {
        for (let c = 0; c < t.cols; c++) {
          const i = r * t.cols + c;
          nodes.push({ name: `n${i}`, address: i + 1, x: c, y: r });
          if (c > 0) link(`n${i - 1}`, `n${i}`);
          if (r > 0) link(`n${i - t.cols}`, `n${i}`);
        }
      }
      break;
    case 'random-geometric': {
      const rng = seededRandom(s.seed).fork('topology');
      for (let i = 0; i < t.nodes; i++) {
        nodes.push({
          name: `n${i}`,
          address: i + 1,
          x: rng.next() * t.width,
          y: rng.next() * t.height,
        });
      }
      for (let i = 0; i < nodes.length; i++) {
        for (let j = i + 1; j < nodes.length; j++) {
          const a = nodes[i]!;
          const b = nodes[j]!;
          if (Math.hypot(a.x - b.x, a.y - b.y) <= t.range) link(a.name, b.name);
        }
      }
      break;
    }
    case 'explicit': {
      const seen = new Set<string>();
      t.nodes.forEach((n, i) => {
        if (seen.has(n.name))
          throw new ScenarioError(file, `topology.nodes[${i}].name`, `duplicate node '${n.name}'`);
        seen.add(n.name);
        const angle = (2 * Math.PI * i) / t.nodes.length;
        nodes.push({
          name: n.name,
          address: i + 1,
          x: n.x ?? Math.cos(angle),
          y: n.y ?? Math.sin(angle),
        });
      });
      const pairs = new Set<string>();
      t.links.forEach((l, i) => {
        for (const end of ['a', 'b'] as const) {
          if (!seen.has(l[end]))
            throw new ScenarioError(
              file,
              `topology.links[${i}].${end}`,
              `unknown node '${l[end]}'`,
            );
        }
        if (l.a === l.b)
          throw new ScenarioError(file, `topology.links[${i}]`, 'a link needs two different nodes');
        const key = l.a < l.b ? `${l.a}-${l.b}` : `${l.b}-${l.a}`;
        if (pairs.has(key))
          throw new ScenarioError(file, `topology.links[${i}]`, `duplicate link ${key}`);
        pairs.add(key);
        const { a, b, back, ...o } = l;
        link(a, b, o, back);
      });
      break;
    }
  }
  return { nodes, links };
}
