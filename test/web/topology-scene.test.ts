import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLOURS } from '../../web/src/lib/status-colour.ts';
import { topologyModel } from '../../web/src/lib/topology-model.ts';
import {
  buildScene,
  chooseLabels,
  fitView,
  FIT_PADDING,
  HAIRLINE_UPLINK_WIDTH,
  HAIRLINES_ABOVE,
  hairlinesAbove,
  LABEL_GAP,
  LABEL_HEIGHT,
  nodeRadius,
  pickNode,
  type Scene,
} from '../../web/src/lib/topology-scene.ts';
import { netjson, type FixtureNode } from './netjson-fixture.ts';
import type { NetworkGraph } from '../../web/src/api/types.ts';

/** Every link of the scene as [colour, width, x1, y1, x2, y2]. */
function drawnLinks(scene: Scene) {
  return scene.linkBatches.flatMap((b) => {
    const out = [];
    for (let i = 0; i < b.coords.length; i += 4)
      out.push([b.colour, b.width, ...b.coords.subarray(i, i + 4)]);
    return out;
  });
}

/** A grid site of `side`² nodes, each linked to its right and lower neighbours and diagonals. */
function gridSite(side: number): NetworkGraph {
  const nodes: FixtureNode[] = [];
  const links: [string, string, number][] = [];
  const id = (x: number, y: number) => `n${x}-${y}`;
  for (let x = 0; x < side; x++)
    for (let y = 0; y < side; y++) {
      const gw = (x + y * side) % 20 === 0;
      nodes.push({ id: id(x, y), at: [x * 10, y * 10], role: gw ? 'gateway' : 'mesh' });
      if (x + 1 < side) links.push([id(x, y), id(x + 1, y), 230]);
      if (y + 1 < side) links.push([id(x, y), id(x, y + 1), 150]);
      if (x + 1 < side && y + 1 < side) links.push([id(x, y), id(x + 1, y + 1), 90]);
    }
  // n1-0 routes through its neighbour gateway n0-0: that link is its uplink.
  nodes.find((n) => n.id === 'n1-0')!.via = 'n0-0';
  return netjson(nodes, links);
}

describe('buildScene', () => {
  const site = netjson(
    [
      { id: 'gw', at: [0, 0], role: 'gateway' },
      { id: 'a', at: [10, 0], via: 'gw' },
      { id: 'b', at: [10, 10], via: 'gw' },
      { id: 'dead', at: [0, 10], online: false },
    ],
    [
      ['gw', 'a', 240],
      ['a', 'b', 150],
      ['b', 'gw', 60],
      ['b', 'dead', 200],
    ],
  );

  it('draws every link once, in its TQ colour, between its nodes (plan y upwards)', () => {
    const scene = buildScene(topologyModel(site, new Map()));
    const links = drawnLinks(scene);
    expect(links).toHaveLength(4);
    const at = (id: string) => {
      const n = scene.nodes.find((node) => node.id === id)!;
      return [n.x, n.y];
    };
    expect(at('b')).toEqual([10, -10]);
    const find = (p: string, q: string) =>
      links.find((l) => l.slice(2).join() === [...at(p), ...at(q)].join());
    expect(find('gw', 'a')?.[0]).toBe(COLOURS.good);
    expect(find('a', 'b')?.[0]).toBe(COLOURS.warn);
    expect(find('b', 'gw')?.[0]).toBe(COLOURS.bad);
    expect(find('b', 'dead')?.[0]).toBe(COLOURS.lost);
    // gw—a and b—gw carry a and b's internet traffic: thicker than a—b of similar TQ.
    expect(find('gw', 'a')![1]).toBeGreaterThan(find('a', 'b')![1] as number);
  });

  it('groups links into one batch per colour and width, thin ones drawn first', () => {
    const scene = buildScene(topologyModel(gridSite(10), new Map()));
    const keys = scene.linkBatches.map((b) => `${b.colour}/${b.width}`);
    expect(new Set(keys).size).toBe(keys.length);
    const widths = scene.linkBatches.map((b) => b.width);
    expect(widths).toEqual([...widths].sort((a, b) => a - b));
  });

  it('draws gateways and offline nodes on top of mesh nodes', () => {
    const scene = buildScene(topologyModel(site, new Map()));
    const order = scene.nodeBatches.flatMap((b) => [...b.nodes].map((i) => scene.nodes[i]!.id));
    expect(order.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(order.slice(2).sort()).toEqual(['dead', 'gw']);
  });

  it(`past ${HAIRLINES_ABOVE} links draws hairlines, keeping every link, its colour and uplinks`, () => {
    const big = gridSite(25); // 1,776 links
    const model = topologyModel(big, new Map());
    expect(model.links.length).toBeGreaterThan(HAIRLINES_ABOVE);
    const scene = buildScene(model);
    const links = drawnLinks(scene);
    expect(links).toHaveLength(model.links.length);
    expect(new Set(links.map((l) => l[0]))).toEqual(
      new Set([COLOURS.good, COLOURS.warn, COLOURS.bad]),
    );
    const uplinks = model.links.filter((l) => l.uplinkOf.length > 0);
    expect(uplinks).toHaveLength(1);
    expect(links.filter((l) => l[1] === HAIRLINE_UPLINK_WIDTH)).toHaveLength(1);
    expect(links.filter((l) => l[1] === 1)).toHaveLength(model.links.length - 1);
    expect(scene.hairlines).toBe(true);
  });

  it('on a 2× screen draws hairlines from a quarter of the links', () => {
    const model = topologyModel(gridSite(12), new Map()); // 385 links
    expect(model.links.length).toBeGreaterThan(hairlinesAbove(2));
    expect(model.links.length).toBeLessThan(HAIRLINES_ABOVE);
    expect(buildScene(model, 1).hairlines).toBe(false);
    expect(buildScene(model, 2).hairlines).toBe(true);
    expect(new Set(buildScene(model, 1).linkBatches.map((b) => b.width)).size).toBeGreaterThan(2);
  });
});

describe('fitView', () => {
  it('centres the graph and keeps it inside the padding', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -500, max: 500 })),
          {
            minLength: 2,
            maxLength: 30,
          },
        ),
        fc.integer({ min: 200, max: 2000 }),
        fc.integer({ min: 200, max: 2000 }),
        (points, width, height) => {
          const scene = buildScene(
            topologyModel(
              netjson(
                points.map((at, i) => ({ id: `n${i}`, at })),
                [],
              ),
              new Map(),
            ),
          );
          const v = fitView(scene.bounds, width, height);
          const xs = scene.nodes.map((n) => v.k * n.x + v.x);
          const ys = scene.nodes.map((n) => v.k * n.y + v.y);
          const eps = 1e-6;
          expect(Math.min(...xs)).toBeGreaterThanOrEqual(FIT_PADDING - eps);
          expect(Math.max(...xs)).toBeLessThanOrEqual(width - FIT_PADDING + eps);
          expect(Math.min(...ys)).toBeGreaterThanOrEqual(FIT_PADDING - eps);
          expect(Math.max(...ys)).toBeLessThanOrEqual(height - FIT_PADDING + eps);
          expect((Math.min(...xs) + Math.max(...xs)) / 2).toBeCloseTo(width / 2, 6);
          expect((Math.min(...ys) + Math.max(...ys)) / 2).toBeCloseTo(height / 2, 6);
        },
      ),
    );
  });

  it('shows a lone node at scale 1 in the middle', () => {
    const scene = buildScene(topologyModel(netjson([{ id: 'a', at: [7, 3] }], []), new Map()));
    const v = fitView(scene.bounds, 400, 300);
    expect(v.k).toBe(1);
    expect([v.k * 7 + v.x, v.k * -3 + v.y]).toEqual([200, 150]);
  });
});

describe('nodeRadius and pickNode', () => {
  it('grows with the square root of the zoom, within bounds', () => {
    expect(nodeRadius(10, 4, 1)).toBeCloseTo(2 * nodeRadius(10, 1, 1), 9);
    expect(nodeRadius(10, 1e6, 1)).toBe(3 * nodeRadius(10, 1, 1));
    expect(nodeRadius(10, 1e-6, 1)).toBe(2);
  });

  it('finds the node under the pointer, the nearest of two, and none in empty space', () => {
    const scene = buildScene(
      topologyModel(
        netjson(
          [
            { id: 'a', at: [0, 0] },
            { id: 'b', at: [1, 0] },
            { id: 'far', at: [100, 0] },
          ],
          [],
        ),
        new Map(),
      ),
    );
    const view = { k: 4, x: 50, y: 50 };
    expect(pickNode(scene, view, 4, 50, 50)).toBe(0);
    expect(pickNode(scene, view, 4, 53, 50)).toBe(1); // a at 50, b at 54: b is nearer
    expect(pickNode(scene, view, 4, 450, 51)).toBe(2);
    expect(pickNode(scene, view, 4, 250, 50)).toBe(-1);
  });
});

describe('chooseLabels', () => {
  const textWidth = (label: string) => label.length * 7;

  function box(scene: Scene, view: { k: number; x: number; y: number }, fitK: number, i: number) {
    const n = scene.nodes[i]!;
    const left = view.k * n.x + view.x + nodeRadius(n.size, view.k, fitK) + LABEL_GAP;
    const mid = view.k * n.y + view.y;
    return {
      left,
      right: left + textWidth(n.label),
      top: mid - LABEL_HEIGHT / 2,
      bottom: mid + LABEL_HEIGHT / 2,
    };
  }

  it('never lets two labels overlap, labels only nodes on screen, the hovered one first', () => {
    const scene = buildScene(topologyModel(gridSite(12), new Map()));
    const fitK = fitView(scene.bounds, 800, 600).k;
    fc.assert(
      fc.property(
        fc.double({ min: fitK / 4, max: fitK * 8, noNaN: true }),
        fc.double({ min: -400, max: 800, noNaN: true }),
        fc.double({ min: -400, max: 800, noNaN: true }),
        fc.integer({ min: -1, max: scene.nodes.length - 1 }),
        (k, x, y, hovered) => {
          const view = { k, x, y };
          const labels = chooseLabels(scene, view, fitK, 800, 600, textWidth, hovered);
          expect(new Set(labels).size).toBe(labels.length);
          const h = hovered >= 0 ? scene.nodes[hovered]! : undefined;
          const hoveredOnScreen =
            h !== undefined &&
            [k * h.x + x, k * h.y + y].every((v, axis) => v >= 0 && v < (axis ? 600 : 800));
          if (hoveredOnScreen) expect(labels[0]).toBe(hovered);
          else expect(labels).not.toContain(hovered);
          const boxes = labels.map((i) => box(scene, view, fitK, i));
          for (const [j, i] of labels.entries()) {
            const sx = k * scene.nodes[i]!.x + x;
            const sy = k * scene.nodes[i]!.y + y;
            expect(sx >= 0 && sx < 800 && sy >= 0 && sy < 600).toBe(true);
            for (const b of boxes.slice(0, j)) {
              const a = boxes[j]!;
              const apart =
                a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
              expect(apart).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('labels a gateway before the mesh node whose label would cover it', () => {
    const scene = buildScene(
      topologyModel(
        netjson(
          [
            { id: 'a-mesh', at: [0, 0] },
            { id: 'z-gw', at: [1, 0], role: 'gateway' },
          ],
          [],
        ),
        new Map(),
      ),
    );
    const labels = chooseLabels(scene, { k: 5, x: 100, y: 100 }, 5, 800, 600, textWidth);
    expect(labels.map((i) => scene.nodes[i]!.id)).toEqual(['z-gw']);
    // With room between them, both get their label.
    const wide = chooseLabels(scene, { k: 200, x: 100, y: 100 }, 5, 800, 600, textWidth);
    expect(wide.map((i) => scene.nodes[i]!.id)).toEqual(['z-gw', 'a-mesh']);
  });
});
