/**
 * `networkGraph` and `linkQualities` were rewritten for speed (docs/api-reads.md); their output
 * must not change. The reference below is the implementation from before, kept verbatim, and
 * both are compared as JSON text over seeded random node tables.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../core/random.ts';
import type { NodeState } from '../mqtt/messages.ts';
import { linkQualities, type LinkQuality, type NeighbourView } from './link-quality.ts';
import { networkGraph, type NetJsonLink, type NetworkGraph } from './netjson.ts';
import type { NodeRecord } from './store/records.ts';

// ---- the reference: networkGraph, linkQualities and nodeProperties as they were ----

function referenceLinkQualities(views: readonly NeighbourView[]): LinkQuality[] {
  const known = new Set(views.map((v) => v.node));
  const seen = new Map<string, { tq: number; loss: number | null }>();
  for (const v of views) {
    for (const nb of v.neighbours) {
      if (known.has(nb.node))
        seen.set(`${nb.node}\u0000${v.node}`, { tq: nb.tq, loss: nb.loss ?? null });
    }
  }
  const links: LinkQuality[] = [];
  const done = new Set<string>();
  for (const key of seen.keys()) {
    const [a, b] = key.split('\u0000') as [string, string];
    const [source, target] = a < b ? [a, b] : [b, a];
    const pair = `${source}\u0000${target}`;
    if (done.has(pair)) continue;
    done.add(pair);
    const st = seen.get(`${source}\u0000${target}`);
    const ts = seen.get(`${target}\u0000${source}`);
    const tqs = [st?.tq, ts?.tq].filter((x): x is number => x !== undefined);
    const losses = [st?.loss, ts?.loss].filter((x): x is number => x != null);
    links.push({
      source,
      target,
      tq_source_target: st?.tq ?? null,
      tq_target_source: ts?.tq ?? null,
      tq: Math.min(...tqs),
      loss_source_target: st?.loss ?? null,
      loss_target_source: ts?.loss ?? null,
      loss: losses.length > 0 ? Math.max(...losses) : null,
    });
  }
  links.sort((x, y) => (x.source + x.target).localeCompare(y.source + y.target));
  return links;
}

function referenceNetworkGraph(site: string, nodes: readonly NodeRecord[]): NetworkGraph {
  const views = nodes.map((n) => ({
    node: n.node,
    neighbours: n.online && n.state ? n.state.neighbours : [],
  }));
  const links: NetJsonLink[] = referenceLinkQualities(views).map((l) => ({
    source: l.source,
    target: l.target,
    cost: l.tq > 0 ? Math.round((255 / l.tq) * 1000) / 1000 : Number.MAX_SAFE_INTEGER,
    properties: {
      tq_source_target: l.tq_source_target,
      tq_target_source: l.tq_target_source,
      tq: l.tq,
      loss_source_target: l.loss_source_target,
      loss_target_source: l.loss_target_source,
      loss: l.loss,
    },
  }));
  return {
    type: 'NetworkGraph',
    protocol: 'batman-adv',
    version: 'IV',
    metric: 'TQ',
    label: site,
    nodes: nodes.map((n) => ({ id: n.node, label: n.node, properties: referenceProperties(n) })),
    links,
  };
}

function referenceProperties(n: NodeRecord): Record<string, string | number | boolean | null> {
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

// ---- random node tables ----

/**
 * Names chosen to make the sort hard: case, punctuation and accents sort differently in the
 * locale's collation than by code unit; 'ab'+'c' and 'a'+'bc' join to the same key; 'é' and
 * 'e\u0301' are different strings the collation holds equal.
 */
const NAMES = [
  'n1',
  'n10',
  'n2',
  'N1',
  'n-1',
  'n_1',
  'n.1',
  'gw',
  'GW',
  'ab',
  'c',
  'a',
  'bc',
  'abc',
  'é',
  'e\u0301',
  'z',
  'Z',
  'ä',
  'ø',
  '10',
  '9',
  'x y',
  'node-01',
  'node-1',
];

const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[rnd.int(xs.length)]!;
const maybe = <T>(rnd: Random, v: () => T): T | undefined => (rnd.int(3) === 0 ? undefined : v());

function randomState(rnd: Random, node: string, names: readonly string[]): NodeState {
  const neighbours = Array.from({ length: rnd.int(7) }, () => ({
    // Mostly nodes of the table, sometimes itself or a stranger, sometimes twice the same.
    node: rnd.int(8) === 0 ? `stranger-${rnd.int(3)}` : rnd.int(12) === 0 ? node : pick(rnd, names),
    tq: pick(rnd, [0, 1, 255, rnd.int(256)]),
    last_seen_ms: rnd.int(5000),
    ...(rnd.int(2) === 0 ? {} : { loss: pick(rnd, [0, 1, 0.5, rnd.next()]) }),
  }));
  const location = maybe(rnd, () => ({ x: rnd.next() * 400 - 100, y: rnd.next() * 300 }));
  const ip = maybe(rnd, () => `10.0.0.${rnd.int(255)}`);
  const mac = maybe(rnd, () => '02:00:00:00:00:01');
  const model = maybe(rnd, () => pick(rnd, ['BPI-R3', '']));
  const firmware = rnd.int(3);
  return {
    node,
    at: 1_796_534_600_000 + rnd.int(100_000),
    uptime_s: rnd.next() * 10_000,
    role: pick(rnd, ['gateway', 'mesh', 'client'] as const),
    ...(location ? { location } : {}),
    wans: Array.from({ length: rnd.int(4) }, (_, i) => ({
      name: `wan${i}`,
      kind: pick(rnd, ['ethernet', 'modem', 'mesh'] as const),
      state: pick(rnd, ['up', 'degraded', 'down', 'unknown'] as const),
      active: rnd.int(2) === 0,
    })),
    gateway: {
      announcing: rnd.int(4) === 0,
      bandwidth_down_kbit: 1000,
      bandwidth_up_kbit: 100,
      selected: rnd.int(2) === 0 ? null : pick(rnd, names),
    },
    neighbours,
    ...(ip ? { ip } : {}),
    ...(mac ? { mac } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(firmware === 0 ? {} : { firmware_version: firmware === 1 ? null : 'OpenWrt 23.05.3' }),
  };
}

/** `near`: neighbours are picked among the names next to a node's own, so most links are heard both ways. */
function randomTable(rnd: Random, names: readonly string[], near = false): NodeRecord[] {
  const chosen = names.filter(() => rnd.int(4) !== 0);
  // The store gives each node once; a table holding one twice must still agree.
  if (rnd.int(10) === 0 && chosen.length > 0) chosen.push(pick(rnd, chosen));
  const at = 1_796_534_600_000;
  return chosen.map((node, i) => ({
    node,
    site: 'lab',
    first_seen: at,
    last_seen: at + rnd.next() * 100_000,
    online: rnd.int(4) !== 0,
    state:
      rnd.int(6) === 0
        ? null
        : randomState(rnd, node, near ? names.slice(Math.max(0, i - 3), i + 4) : names),
    state_at: at,
  }));
}

describe('networkGraph', () => {
  it('sends the same NetJSON text as before, over random node tables', () => {
    const rnd = seededRandom(15);
    let links = 0;
    for (let run = 0; run < 400; run++) {
      const table = randomTable(rnd, NAMES);
      const graph = JSON.stringify(networkGraph('lab', table));
      expect(graph, `run ${run}`).toBe(JSON.stringify(referenceNetworkGraph('lab', table)));
      links += JSON.parse(graph).links.length;
    }
    // The tables are not trivially empty.
    expect(links).toBeGreaterThan(2000);
  });

  it('sends the same NetJSON text as before for a large table', () => {
    const rnd = seededRandom(7);
    const names = Array.from({ length: 3000 }, (_, i) => `n${i}`);
    const table = randomTable(rnd, names, true);
    const graph = networkGraph('scale', table);
    const twoWay = graph.links.filter(
      (l) => l.properties.tq_source_target !== null && l.properties.tq_target_source !== null,
    );
    // Enough of both kinds of link for the hash table of directions to be exercised.
    expect(twoWay.length).toBeGreaterThan(200);
    expect(graph.links.length - twoWay.length).toBeGreaterThan(300);
    expect(JSON.stringify(graph)).toBe(JSON.stringify(referenceNetworkGraph('scale', table)));
  });
});

describe('linkQualities', () => {
  it('keeps the given order of links the collation holds equal, as localeCompare did', () => {
    // 'aé' and 'ae\u0301' collate equal but differ by code unit, in the other order.
    const views = [
      {
        node: 'a',
        neighbours: [
          { node: '\u00e9', tq: 200 },
          { node: 'e\u0301', tq: 100 },
        ],
      },
      { node: '\u00e9', neighbours: [] },
      { node: 'e\u0301', neighbours: [] },
    ];
    const links = linkQualities(views).map((l) => l.source + l.target);
    expect(links).toEqual(['a\u00e9', 'ae\u0301']);
    expect(links).toEqual(referenceLinkQualities(views).map((l) => l.source + l.target));
  });

  it('gives the same links as before, over random neighbour views', () => {
    const rnd = seededRandom(16);
    for (let run = 0; run < 400; run++) {
      const views = randomTable(rnd, NAMES).map((n) => ({
        node: n.node,
        neighbours: n.state?.neighbours ?? [],
      }));
      expect(JSON.stringify(linkQualities(views)), `run ${run}`).toBe(
        JSON.stringify(referenceLinkQualities(views)),
      );
    }
  });
});
