/**
 * The mesh as NetJSON: a NetworkGraph of the site (nodes, links with TQ both ways) and a
 * DeviceMonitoring document per node, so tools that read NetJSON (OpenWISP's network topology,
 * netdiff) can read ours.
 *
 * @example
 * const graph = networkGraph('lab', store.nodes.list());
 * graph.links[0]; // { source: 'n1', target: 'n2', cost: 1.1, properties: { tq_source_target: 230, ... } }
 */
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
 * nothing about the present. A link heard by one side only is still drawn (asymmetric).
 */
export function networkGraph(site: string, nodes: readonly NodeRecord[]): NetworkGraph {
  const tq = new Map<string, number>();
  const known = new Set(nodes.map((n) => n.node));
  for (const n of nodes) {
    if (!n.online || !n.state) continue;
    for (const nb of n.state.neighbours) {
      if (known.has(nb.node)) tq.set(`${nb.node}\u0000${n.node}`, nb.tq);
    }
  }
  const links: NetJsonLink[] = [];
  const done = new Set<string>();
  for (const key of tq.keys()) {
    const [a, b] = key.split('\u0000') as [string, string];
    const [source, target] = a < b ? [a, b] : [b, a];
    const pair = `${source}\u0000${target}`;
    if (done.has(pair)) continue;
    done.add(pair);
    // The TQ each receiver measured for frames from the other side.
    const st = tq.get(`${source}\u0000${target}`) ?? null;
    const ts = tq.get(`${target}\u0000${source}`) ?? null;
    const best = Math.max(st ?? 0, ts ?? 0);
    links.push({
      source,
      target,
      cost: best > 0 ? Math.round((TQ_MAX / best) * 1000) / 1000 : Number.MAX_SAFE_INTEGER,
      properties: { tq_source_target: st, tq_target_source: ts, tq: best },
    });
  }
  links.sort((x, y) => (x.source + x.target).localeCompare(y.source + y.target));
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
  const optional = (key: string, v: string | number | null | undefined) =>
    v === undefined || v === null ? {} : { [key]: v };
  return {
    online: n.online,
    role: s?.role ?? 'mesh',
    gateway: s?.gateway.announcing ?? false,
    selected_gateway: s?.gateway.selected ?? null,
    wans_up: s?.wans.filter((w) => w.kind !== 'mesh' && w.state === 'up').length ?? 0,
    ...optional('x_m', s?.location ? Math.round(s.location.x) : undefined),
    ...optional('y_m', s?.location ? Math.round(s.location.y) : undefined),
    ...optional('ip', s?.ip),
    ...optional('mac', s?.mac),
    ...optional('model', s?.model),
    ...optional('firmware', s?.firmware_version),
    ...optional('uptime_s', s ? Math.round(s.uptime_s) : undefined),
    last_seen: new Date(lastSeen).toISOString(),
    last_seen_ms: lastSeen,
    time: new Date(lastSeen).toISOString(),
  };
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
