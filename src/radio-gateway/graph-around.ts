/**
 * The part of a neighbour graph within `depth` hops of one node: what a scan "of node X to
 * depth d" returns when the gateway can only scan from itself (meshlink scans start at the
 * scanning node).
 *
 * @example
 * graphAround({ nodes: [1, 2, 3], edges: [[1, 2], [2, 3]] }, 3, 1);
 * // { nodes: [2, 3], edges: [[2, 3]] }
 */
import type { NeighbourGraph } from '../meshlink/scan.ts';

export function graphAround(graph: NeighbourGraph, center: number, depth: number): NeighbourGraph {
  const adjacent = new Map<number, number[]>();
  for (const [a, b] of graph.edges) {
    adjacent.set(a, [...(adjacent.get(a) ?? []), b]);
    adjacent.set(b, [...(adjacent.get(b) ?? []), a]);
  }
  const within = new Set<number>([center]);
  let frontier = [center];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const m of adjacent.get(n) ?? []) {
        if (!within.has(m)) {
          within.add(m);
          next.push(m);
        }
      }
    }
    frontier = next;
  }
  return {
    nodes: [...within].sort((a, b) => a - b),
    edges: graph.edges.filter(([a, b]) => within.has(a) && within.has(b)),
  };
}

/** Both graphs' nodes and edges, each once, sorted. */
export function mergeGraphs(a: NeighbourGraph, b: NeighbourGraph): NeighbourGraph {
  const nodes = new Set([...a.nodes, ...b.nodes]);
  const edges = new Map<string, [number, number]>();
  for (const [x, y] of [...a.edges, ...b.edges]) edges.set(`${x}-${y}`, [x, y]);
  return {
    nodes: [...nodes].sort((x, y) => x - y),
    edges: [...edges.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]),
  };
}
