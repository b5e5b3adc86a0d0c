/**
 * Turns the controller's NetJSON NetworkGraph into what the topology view draws: node positions,
 * sizes and colours, and links coloured by the worse of their TQ and recent loss (both taken from
 * the worse direction by the controller). Links that were seen earlier in this session but
 * are gone now stay on screen as "lost", so a dead link is visible rather than just absent.
 * Pure, so it is unit tested without a browser.
 *
 * @example
 * const model = topologyModel(graph, new Map());
 * model.links[0]; // { key: 'a|b', source: 'a', target: 'b', tq: 230, loss: 0, status: 'good', colour: '#2ecc71', ... }
 */
import type { NetworkGraph } from '../api/types.ts';
import { COLOURS, linkHealth, type Health } from './status-colour.ts';

export type LinkStatus = Health | 'lost' | 'down';

export interface DrawNode {
  id: string;
  label: string;
  x: number;
  y: number;
  size: number;
  colour: string;
  online: boolean;
  gateway: boolean;
  announcing: boolean;
  selectedGateway: string | null;
}

export interface DrawLink {
  key: string;
  source: string;
  target: string;
  tq: number | null;
  /** Recent loss of the worse direction, 0..1, when the nodes measure it. */
  loss: number | null;
  status: LinkStatus;
  /** The loss is back to normal but the TQ average still refills (see linkHealth). */
  recovering: boolean;
  colour: string;
  size: number;
  /** Nodes whose selected gateway is the other end of this link. */
  uplinkOf: string[];
}

export interface TopologyModel {
  nodes: DrawNode[];
  links: DrawLink[];
}

/** The last TQ seen per link key, kept by the view across refreshes. */
export type LinkMemory = Map<string, { source: string; target: string; tq: number | null }>;

export const linkKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Nodes without coordinates go on a circle, in id order, so the layout is stable. */
function circle(index: number, count: number): { x: number; y: number } {
  const angle = (2 * Math.PI * index) / Math.max(count, 1);
  const r = 100;
  return { x: r * Math.cos(angle), y: r * Math.sin(angle) };
}

export function topologyModel(graph: NetworkGraph, memory: LinkMemory): TopologyModel {
  const at = (p: NetworkGraph['nodes'][number]['properties']) =>
    p.x_m === undefined || p.y_m === undefined ? undefined : { x: p.x_m, y: p.y_m };
  const unplaced = graph.nodes.filter((n) => !at(n.properties)).map((n) => n.id);
  unplaced.sort();
  const slot = new Map(unplaced.map((id, i) => [id, i]));
  const online = new Map(graph.nodes.map((n) => [n.id, n.properties.online !== false]));
  const nodes = graph.nodes.map((n): DrawNode => {
    const p = n.properties;
    const gateway = p.role === 'gateway';
    const announcing = p.gateway === true;
    const pos = at(p) ?? circle(slot.get(n.id) ?? 0, unplaced.length);
    const isOnline = p.online !== false;
    const colour = !isOnline
      ? COLOURS.bad
      : gateway
        ? announcing
          ? COLOURS.gateway
          : COLOURS.warn
        : '#c9d4e0';
    return {
      id: n.id,
      label: gateway ? `${n.label} ⬆` : n.label,
      // Screen y grows downwards; plan coordinates grow upwards.
      x: pos.x,
      y: pos.y,
      size: gateway ? 11 : 7,
      colour,
      online: isOnline,
      gateway,
      announcing,
      selectedGateway: p.selected_gateway ?? null,
    };
  });
  // Which links carry a node's internet traffic straight to the gateway it selected.
  const uplinks = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.online || !n.selectedGateway) continue;
    const key = linkKey(n.id, n.selectedGateway);
    uplinks.set(key, [...(uplinks.get(key) ?? []), n.id]);
  }
  const present = new Set<string>();
  const links: DrawLink[] = [];
  for (const l of graph.links) {
    const key = linkKey(l.source, l.target);
    const tq = l.properties.tq ?? null;
    const loss = l.properties.loss ?? null;
    present.add(key);
    memory.set(key, { source: l.source, target: l.target, tq });
    const endpointsUp = online.get(l.source) !== false && online.get(l.target) !== false;
    const health = linkHealth(tq, loss);
    const status: LinkStatus = endpointsUp ? health.status : 'down';
    const uplinkOf = status === 'down' ? [] : (uplinks.get(key) ?? []);
    links.push({
      key,
      source: l.source,
      target: l.target,
      tq,
      loss,
      status,
      recovering: status !== 'down' && health.recovering,
      colour: status === 'down' ? COLOURS.lost : COLOURS[health.status],
      size:
        status === 'down'
          ? 1
          : 1 + Math.round(((tq ?? 0) / 255) * 3) + (uplinkOf.length > 0 ? 3 : 0),
      uplinkOf,
    });
  }
  for (const [key, seen] of memory) {
    if (present.has(key) || !online.has(seen.source) || !online.has(seen.target)) continue;
    links.push({
      key,
      source: seen.source,
      target: seen.target,
      tq: null,
      loss: null,
      status: 'lost',
      recovering: false,
      colour: COLOURS.lost,
      size: 1,
      uplinkOf: [],
    });
  }
  links.sort((a, b) => a.key.localeCompare(b.key));
  return { nodes, links };
}
