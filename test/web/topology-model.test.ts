import { describe, expect, it } from 'vitest';
import { COLOURS } from '../../web/src/lib/status-colour.ts';
import { topologyModel, type LinkMemory } from '../../web/src/lib/topology-model.ts';
import { netjson } from './netjson-fixture.ts';

describe('topologyModel', () => {
  it('colours links by TQ and marks gateways', () => {
    const memory: LinkMemory = new Map();
    const m = topologyModel(
      netjson(
        [{ id: 'a', role: 'gateway', gateway: true }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
        [
          ['a', 'b', 240],
          ['b', 'c', 150],
          ['c', 'd', 60],
        ],
      ),
      memory,
    );
    expect(m.links.map((l) => [l.key, l.status, l.colour])).toEqual([
      ['a|b', 'good', COLOURS.good],
      ['b|c', 'warn', COLOURS.warn],
      ['c|d', 'bad', COLOURS.bad],
    ]);
    const a = m.nodes.find((n) => n.id === 'a')!;
    expect(a.gateway).toBe(true);
    expect(a.colour).toBe(COLOURS.gateway);
    expect(a.size).toBeGreaterThan(m.nodes.find((n) => n.id === 'b')!.size);
  });

  it('shows a gateway that stopped announcing in amber and an offline node in red', () => {
    const m = topologyModel(
      netjson(
        [{ id: 'g', role: 'gateway', gateway: false }, { id: 'x', online: false }, { id: 'y' }],
        [['x', 'y', 230]],
      ),
      new Map(),
    );
    expect(m.nodes.find((n) => n.id === 'g')!.colour).toBe(COLOURS.warn);
    expect(m.nodes.find((n) => n.id === 'x')!.colour).toBe(COLOURS.bad);
    // A link reported by the live side of a dead node is drawn, as down.
    expect(m.links[0]).toMatchObject({ key: 'x|y', status: 'down' });
  });

  it('keeps a link that disappeared as lost, and forgets it when it comes back', () => {
    const memory: LinkMemory = new Map();
    const nodes = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    topologyModel(
      netjson(nodes, [
        ['a', 'b', 200],
        ['b', 'c', 200],
      ]),
      memory,
    );
    const after = topologyModel(netjson(nodes, [['b', 'c', 200]]), memory);
    expect(after.links.map((l) => [l.key, l.status])).toEqual([
      ['a|b', 'lost'],
      ['b|c', 'good'],
    ]);
    const back = topologyModel(
      netjson(nodes, [
        ['a', 'b', 180],
        ['b', 'c', 200],
      ]),
      memory,
    );
    expect(back.links.map((l) => l.status)).toEqual(['warn', 'good']);
  });

  it("marks the link to each node's selected gateway as its uplink, drawn thicker", () => {
    const g = netjson(
      [
        { id: 'g1', role: 'gateway', gateway: true },
        { id: 'g2', role: 'gateway', gateway: true },
        { id: 'm' },
      ],
      [
        ['g1', 'm', 230],
        ['g2', 'm', 230],
      ],
    );
    const via = (gw: string) => ({
      ...g,
      nodes: g.nodes.map((n) =>
        n.id === 'm' ? { ...n, properties: { ...n.properties, selected_gateway: gw } } : n,
      ),
    });
    const before = topologyModel(via('g1'), new Map());
    expect(before.links.map((l) => [l.key, l.uplinkOf])).toEqual([
      ['g1|m', ['m']],
      ['g2|m', []],
    ]);
    expect(before.links[0]!.size).toBeGreaterThan(before.links[1]!.size);
    const after = topologyModel(via('g2'), new Map());
    expect(after.links.map((l) => l.uplinkOf)).toEqual([[], ['m']]);
  });

  it('uses reported coordinates and places the others on a stable circle', () => {
    const g = netjson([{ id: 'p', at: [5, 7] }, { id: 'q' }, { id: 'r' }], []);
    const m1 = topologyModel(g, new Map());
    const m2 = topologyModel({ ...g, nodes: [...g.nodes].reverse() }, new Map());
    expect(m1.nodes.find((n) => n.id === 'p')).toMatchObject({ x: 5, y: 7 });
    const pos = (m: typeof m1, id: string) => m.nodes.find((n) => n.id === id)!;
    expect(pos(m1, 'q')).toMatchObject({ x: pos(m2, 'q').x, y: pos(m2, 'q').y });
    expect(pos(m1, 'q').x).not.toBe(pos(m1, 'r').x);
  });

  it('turns a link with high recent loss red before its TQ moves, and says when it is recovering', () => {
    const graph = netjson(
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }],
      [
        ['a', 'b', 246],
        ['b', 'c', 150],
        ['c', 'd', 240],
      ],
    );
    // a–b: 60% loss just started, TQ still high. b–c: repaired, TQ refilling. c–d: healthy.
    graph.links[0]!.properties.loss = 0.625;
    graph.links[1]!.properties.loss = 0;
    graph.links[2]!.properties.loss = 0.125;
    const m = topologyModel(graph, new Map());
    expect(m.links.map((l) => [l.key, l.status, l.colour, l.recovering])).toEqual([
      ['a|b', 'bad', COLOURS.bad, false],
      ['b|c', 'warn', COLOURS.warn, true],
      ['c|d', 'good', COLOURS.good, false],
    ]);
  });
});
