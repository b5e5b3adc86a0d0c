/**
 * A synthetic NetJSON NetworkGraph for the topology benchmark: nodes on a jittered grid (so they
 * have locations, as a real site would), each linked to near neighbours until the link count is
 * reached, with TQ falling off with distance; every 25th node is a gateway and the others select
 * the nearest one. Seeded, so every run draws the same graph.
 *
 * @example
 * const g = syntheticGraph(1000, 5000, 42); // g.nodes.length === 1000, g.links.length === 5000
 */
import type { NetworkGraph } from '../api/types.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticGraph(nodeCount: number, linkCount: number, seed: number): NetworkGraph {
  const rand = mulberry32(seed);
  const side = Math.ceil(Math.sqrt(nodeCount));
  const ids = Array.from({ length: nodeCount }, (_, i) => `n${String(i).padStart(4, '0')}`);
  const pos = ids.map((_, i) => ({
    x: (i % side) * 10 + rand() * 6,
    y: Math.floor(i / side) * 10 + rand() * 6,
  }));
  const isGateway = (i: number) => i % 25 === 0;
  const gateways = ids.flatMap((_, i) => (isGateway(i) ? [i] : []));
  // Each node routes its internet traffic through the nearest gateway, as B.A.T.M.A.N. would
  // roughly pick it, so the uplinks (drawn thick) are as many as on a real site of this size.
  const nearestGateway = (i: number): string | null => {
    let best: number | null = null;
    let bestD = Infinity;
    for (const g of gateways) {
      const d = Math.hypot(pos[g]!.x - pos[i]!.x, pos[g]!.y - pos[i]!.y);
      if (d < bestD) [best, bestD] = [g, d];
    }
    return best === null ? null : ids[best]!;
  };
  const nodes = ids.map((id, i) => ({
    id,
    label: id,
    properties: {
      online: rand() > 0.02,
      role: isGateway(i) ? 'gateway' : 'mesh',
      gateway: isGateway(i),
      selected_gateway: isGateway(i) ? null : nearestGateway(i),
      location: pos[i]!,
    },
  }));
  const seen = new Set<string>();
  const links: NetworkGraph['links'] = [];
  // Near neighbours first (grid offsets by growing radius), as a radio mesh would link.
  const offsets: [number, number][] = [];
  for (let r = 1; r <= 4; r++)
    for (let dx = -r; dx <= r; dx++)
      for (let dy = -r; dy <= r; dy++)
        if (Math.max(Math.abs(dx), Math.abs(dy)) === r) offsets.push([dx, dy]);
  outer: for (const [dx, dy] of offsets) {
    for (let i = 0; i < nodeCount; i++) {
      if (links.length >= linkCount) break outer;
      const x = (i % side) + dx;
      const y = Math.floor(i / side) + dy;
      if (x < 0 || y < 0 || x >= side) continue;
      const j = y * side + x;
      if (j >= nodeCount || j === i) continue;
      const a = ids[i]!;
      const b = ids[j]!;
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const dist = Math.hypot(dx, dy);
      const tq = Math.max(10, Math.min(255, Math.round(260 - dist * 45 - rand() * 40)));
      links.push({
        source: a < b ? a : b,
        target: a < b ? b : a,
        cost: 255 / tq,
        properties: { tq, tq_source_target: tq, tq_target_source: tq },
      });
    }
  }
  return { type: 'NetworkGraph', label: 'synthetic', nodes, links };
}
