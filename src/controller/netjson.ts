/**
 * The mesh as NetJSON: a NetworkGraph of the site (nodes, links with TQ both ways) and a
 * DeviceMonitoring document per node, so tools that read NetJSON (OpenWISP's network topology,
 * netdiff) can read ours.
 *
 * @example
 * const graph = networkGraph('lab', store.nodes.list());
 * graph.links[0]; // { source: 'n1', target: 'n2', cost: 1.1, properties: { tq_source_target: 230, tq: 228, loss: 0, ... } }
 */
import { eachLinkQuality } from './link-quality.ts';
import type { NodeState } from '../mqtt/messages.ts';
import type { NodeRecord } from './store/node-repo.ts';

export interface NetJsonNode {
  id: string;
  label: string;
  properties: Record<string, unknown>;
}

export interface NetJsonLink {
  source: string;
  target: string;
  cost: number;
  properties: Record<string, unknown>;
}

export interface NetworkGraph {
  type: 'NetworkGraph';
  protocol: 'batman-adv';
  version: string;
  metric: 'TQ';
  label: string;
  router_id?: string;
  nodes: NetJsonNode[];
  links: NetJsonLink[];
}

const TQ_MAX = 255;

/**
 * Links come from the neighbour lists of online nodes only: an offline node's last report says
 * nothing about the present. A link heard by one side only is still drawn (asymmetric). Its
 * `tq` and `loss` are the worse direction's, and its cost follows that TQ: a link that works one
 * way only does not carry traffic.
 */
export function networkGraph(site: string, nodes: readonly NodeRecord[]): NetworkGraph {
  const views = nodes.map((n) => ({
    node: n.node,
    // Offline nodes keep their place (a neighbour may still report them) but say nothing.
    neighbours: n.online && n.state ? n.state.neighbours : [],
  }));
  const links: NetJsonLink[] = [];
  eachLinkQuality(views, (l) =>
    links.push({
      source: l.source,
      target: l.target,
      cost: l.tq > 0 ? Math.round((TQ_MAX / l.tq) * 1000) / 1000 : Number.MAX_SAFE_INTEGER,
      properties: {
        tq_source_target: l.tq_source_target,
        tq_target_source: l.tq_target_source,
        tq: l.tq,
        loss_source_target: l.loss_source_target,
        loss_target_source: l.loss_target_source,
        loss: l.loss,
      },
    }),
  );
  return {
    type: 'NetworkGraph',
    protocol: 'batman-adv',
    version: 'IV',
    metric: 'TQ',
    label: site,
    nodes: nodes.map((n) => ({ id: n.node, label: n.node, properties: nodeProperties(n) })),
    links,
  };
}

/**
 * A node's NetJSON properties, flat and readable as viewers (netjsongraph.js) print them as
 * "key: value": strings, integers and booleans only; times as ISO 8601 (`time` is the field
 * netjsongraph.js reads as "updated") with an integer-ms twin for programs. The plan position is
 * `x_m`/`y_m` in metres: netjsongraph.js's `location` means {lat, lng}, which a site plan is not.
 */
export function nodeProperties(n: NodeRecord): Record<string, string | number | boolean | null> {
  const s = n.state;
  const lastSeen = Math.round(n.last_seen);
  const time = new Date(lastSeen).toISOString();
  // Built by assignment in the order the keys are sent: this runs for every node of the site.
  const p: Record<string, string | number | boolean | null> = {
    online: n.online,
    role: s?.role ?? 'mesh',
    gateway: s?.gateway.announcing ?? false,
    selected_gateway: s?.gateway.selected ?? null,
    wans_up: s ? wansUp(s) : 0,
  };
  if (s) {
    if (s.location) {
      p.x_m = Math.round(s.location.x);
      p.y_m = Math.round(s.location.y);
    }
    if (s.ip != null) p.ip = s.ip;
    if (s.mac != null) p.mac = s.mac;
    if (s.model != null) p.model = s.model;
    if (s.firmware_version != null) p.firmware = s.firmware_version;
    p.uptime_s = Math.round(s.uptime_s);
  }
  p.last_seen = time;
  p.last_seen_ms = lastSeen;
  p.time = time;
  return p;
}

function wansUp(s: NodeState): number {
  let up = 0;
  for (const w of s.wans) if (w.kind !== 'mesh' && w.state === 'up') up++;
  return up;
}

export interface DeviceMonitoring {
  type: 'DeviceMonitoring';
  general: { hostname: string; uptime: number | null; local_time: number | null };
  resources: Record<string, unknown>;
  interfaces: {
    name: string;
    type: string;
    up: boolean;
    statistics: Record<string, number | null>;
  }[];
  neighbors: { mac: string | null; interface: string; node: string; tq: number }[];
}

export function deviceMonitoring(n: NodeRecord): DeviceMonitoring {
  const s = n.state;
  return {
    type: 'DeviceMonitoring',
    general: {
      hostname: n.node,
      uptime: s?.uptime_s ?? null,
      local_time: s ? Math.floor(s.at / 1000) : null,
    },
    resources: { online: n.online, clients: s?.clients ?? null },
    interfaces: (s?.wans ?? []).map((w) => ({
      name: w.name,
      type: w.kind === 'modem' ? 'mobile' : w.kind === 'mesh' ? 'virtual' : 'ethernet',
      up: w.state === 'up' || w.state === 'degraded',
      statistics: {
        latency_ms: w.latency_ms ?? null,
        loss: w.loss ?? null,
        share: w.share ?? null,
      },
    })),
    neighbors: (s?.neighbours ?? []).map((nb) => ({
      mac: null,
      interface: 'bat0',
      node: nb.node,
      tq: nb.tq,
    })),
  };
}
