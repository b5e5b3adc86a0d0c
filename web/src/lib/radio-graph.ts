/**
 * Turns the radio mesh's NetJSON graph (from recursive scans) into what the topology canvas
 * draws. Radio nodes have no plan position, so they are laid out in columns by hop distance
 * from the graph's router (the node the scan started from, usually a gateway): the router on the
 * left, the nodes one hop away in the next column, and so on, each column in address order, so
 * the picture reads as the mesh's depth and is stable from one refresh to the next. (Rings
 * around the router came first: with two or three nodes a hop they lined up along a slowly
 * turning spoke, and a ladder's rungs crossed it.) Colours follow the node list: blue gateway,
 * light reachable, red unreachable. Pure, so it is unit tested without a browser.
 *
 * @example
 * const model = radioModel(graph, nodes); // { nodes: [...DrawNode], links: [...DrawLink] }
 */
import type { RadioGraph, RadioNode } from '../api/radio-types.ts';
import { COLOURS } from './status-colour.ts';
import { linkKey, type DrawLink, type DrawNode, type TopologyModel } from './topology-model.ts';

const COLUMN_STEP = 120;
const ROW_STEP = 70;

/** Hop distances from `root` over the graph's links (unreached ids are absent). */
export function hopsFrom(root: string, graph: RadioGraph): Map<string, number> {
  const adjacent = new Map<string, string[]>();
  for (const l of graph.links) {
    adjacent.set(l.source, [...(adjacent.get(l.source) ?? []), l.target]);
    adjacent.set(l.target, [...(adjacent.get(l.target) ?? []), l.source]);
  }
  const hops = new Map([[root, 0]]);
  const queue = [root];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const next of adjacent.get(id) ?? []) {
      if (hops.has(next)) continue;
      hops.set(next, hops.get(id)! + 1);
      queue.push(next);
    }
  }
  return hops;
}

/**
 * The radio address of a graph node: its `address` property, else its id (`5`, or `net/5` when
 * the controller serves several radio networks).
 */
export function graphNodeAddress(n: RadioGraph['nodes'][number]): number | undefined {
  const p = n.properties.address;
  if (typeof p === 'number') return p;
  const last = n.id.slice(n.id.lastIndexOf('/') + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

const addressOf = (id: string): number | undefined =>
  graphNodeAddress({ id, label: id, properties: {} });

const byId = (a: string, b: string) =>
  (addressOf(a) ?? Infinity) - (addressOf(b) ?? Infinity) || a.localeCompare(b);

/**
 * `gateways`: the radio gateways' own addresses (drawn blue); the graph's router (a scan's
 * origin) is the first column whether or not it is a gateway.
 */
export function radioModel(
  graph: RadioGraph,
  nodes: readonly RadioNode[],
  gateways: ReadonlySet<number> = new Set(),
): TopologyModel {
  const known = new Map(nodes.map((n) => [n.address, n]));
  const root = graph.router_id;
  const hops = hopsFrom(root, graph);
  // Nodes no link reaches go in a last column.
  const outer = Math.max(0, ...hops.values()) + 1;
  const ring = (id: string) => hops.get(id) ?? outer;
  const rings = new Map<number, string[]>();
  for (const n of [...graph.nodes].sort((a, b) => byId(a.id, b.id))) {
    const r = ring(n.id);
    rings.set(r, [...(rings.get(r) ?? []), n.id]);
  }
  const position = new Map<string, { x: number; y: number }>();
  for (const [r, ids] of rings) {
    ids.forEach((id, i) => {
      // One column per hop, its nodes stacked around the middle row.
      position.set(id, { x: r * COLUMN_STEP, y: (i - (ids.length - 1) / 2) * ROW_STEP });
    });
  }
  const reachable = new Map<string, boolean>();
  const drawNodes = graph.nodes.map((n): DrawNode => {
    const address = graphNodeAddress(n);
    const record = address === undefined ? undefined : known.get(address);
    const gateway = address !== undefined && gateways.has(address);
    // The node list is the live word on status; the graph's own properties date from its scan.
    const status = record?.status ?? n.properties.status;
    const online = gateway || status !== 'unreachable';
    reachable.set(n.id, online);
    return {
      id: n.id,
      label: gateway ? `${n.label} ⬆` : n.label,
      ...position.get(n.id)!,
      size: gateway ? 11 : 7,
      colour: !online ? COLOURS.bad : gateway ? COLOURS.gateway : '#c9d4e0',
      online,
      gateway,
      announcing: gateway,
      selectedGateway: null,
    };
  });
  const links = graph.links.map((l): DrawLink => {
    const up = reachable.get(l.source) !== false && reachable.get(l.target) !== false;
    return {
      key: linkKey(l.source, l.target),
      source: l.source,
      target: l.target,
      tq: null,
      loss: null,
      status: up ? 'good' : 'down',
      recovering: false,
      colour: up ? COLOURS.good : COLOURS.lost,
      size: up ? 2 : 1,
      uplinkOf: [],
    };
  });
  links.sort((a, b) => a.key.localeCompare(b.key));
  return { nodes: drawNodes, links };
}
