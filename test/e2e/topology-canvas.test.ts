/// <reference lib="dom" />
/**
 * The topology renderer in headless Chromium, on the dashboard's own built bench page with a
 * small site injected: what the canvas shows (links in their TQ colour, gateways blue, offline
 * nodes red, every link of a 5,000-link site drawn), and what the user does with it (hover
 * shows the pointer, a click on a node reports that node and a click on empty space nothing,
 * a drag pans the picture, the wheel zooms it, a drag that ends on a node is not a click).
 * Colours are read back from the canvas's pixels.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NetworkGraph } from '../../web/src/api/types.ts';
import { syntheticGraph } from '../../web/src/bench/synthetic-graph.ts';
import { COLOURS } from '../../web/src/lib/status-colour.ts';
import { topologyModel } from '../../web/src/lib/topology-model.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

const MESH_COLOUR = '#c9d4e0';

/** A gateway, two mesh nodes and an offline node; links of good, warn and bad TQ. */
const SITE: NetworkGraph = {
  type: 'NetworkGraph',
  label: 'lab',
  nodes: [
    node('gw', 0, 0, { role: 'gateway', gateway: true }),
    node('a', 100, 0, { selected_gateway: 'gw' }),
    node('b', 100, -60, {}),
    node('dead', 0, -60, { online: false }),
  ],
  links: [link('gw', 'a', 240), link('a', 'b', 150), link('b', 'gw', 60), link('gw', 'dead', 230)],
};

function node(
  id: string,
  x: number,
  y: number,
  p: NetworkGraph['nodes'][number]['properties'],
): NetworkGraph['nodes'][number] {
  return { id, label: id, properties: { online: true, role: 'mesh', x_m: x, y_m: y, ...p } };
}

function link(source: string, target: string, tq: number): NetworkGraph['links'][number] {
  return { source, target, cost: 255 / tq, properties: { tq } };
}

let server: FastifyInstance;
let base: string;
let browser: Chromium;
let page: Page;

type Host = HTMLElement & {
  topology: {
    draws: number;
    canvas: HTMLCanvasElement;
    screenPosition(id: string): { x: number; y: number } | null;
  };
};

async function open(graph: NetworkGraph): Promise<void> {
  await page.addInitScript((g) => {
    (window as unknown as { __topologyGraph: unknown }).__topologyGraph = g;
  }, graph);
  await page.goto(`${base}/topology-bench.html`);
  await page.waitForFunction(() => (window as unknown as { __benchReady?: unknown }).__benchReady);
}

/** A node's position on the page (the canvas fills the page from its top left). */
async function at(id: string): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(
    (nodeId) =>
      (document.querySelector('[data-testid=topology-canvas]') as Host).topology.screenPosition(
        nodeId,
      ),
    id,
  );
  if (!p) throw new Error(`node ${id} is not in the scene`);
  return p;
}

/** Waits until the renderer has drawn a frame after now, so the pixels are the current view. */
async function settled(): Promise<void> {
  await page.evaluate(
    () =>
      new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))),
  );
}

type Pixel = [number, number, number, number];

/** The canvas pixels (RGBA, unpremultiplied) within `radius` CSS px of a point. */
async function pixelsAround(x: number, y: number, radius = 1): Promise<Pixel[]> {
  return page.evaluate(
    ({ x, y, radius }) => {
      const c = (document.querySelector('[data-testid=topology-canvas]') as Host).topology.canvas;
      const dpr = c.width / c.clientWidth;
      const size = Math.max(1, Math.ceil((2 * radius + 1) * dpr));
      const data = c
        .getContext('2d')!
        .getImageData(
          Math.round((x - radius) * dpr),
          Math.round((y - radius) * dpr),
          size,
          size,
        ).data;
      const out: Pixel[] = [];
      for (let i = 0; i < data.length; i += 4)
        out.push([data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!]);
      return out;
    },
    { x, y, radius },
  );
}

/**
 * Whether a pixel shows `hex`: mostly opaque and within a few levels per channel (antialiased
 * one-pixel lines are partly transparent, and unpremultiplying rounds).
 */
function shows(p: Pixel | undefined, hex: string): boolean {
  if (!p || p[3] < 128) return false;
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return want.every((v, i) => Math.abs(v - p[i]!) <= 8);
}

async function colourShown(x: number, y: number, hex: string, radius = 1): Promise<boolean> {
  return (await pixelsAround(x, y, radius)).some((p) => shows(p, hex));
}

async function pixelAt(x: number, y: number): Promise<Pixel> {
  return (await pixelsAround(x, y, 0))[0]!;
}

async function clicks(): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __clicks: string[] }).__clicks);
}

async function midpoint(p: string, q: string): Promise<{ x: number; y: number }> {
  const [a, b] = [await at(p), await at(q)];
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

describe.skipIf(!chromiumPath)(
  `topology canvas in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const root = await buildDashboard();
      server = Fastify();
      await server.register(fastifyStatic, { root });
      await server.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
      browser = await launchChromium({ width: 800, height: 600 });
    }, 120_000);

    beforeEach(async () => {
      page = await browser.context.newPage();
    });

    afterEach(async () => {
      await page?.close();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('draws links in their TQ colour, gateways blue and offline nodes red', async () => {
      await open(SITE);
      const mid = async (p: string, q: string, hex: string) => {
        const m = await midpoint(p, q);
        return colourShown(m.x, m.y, hex);
      };
      expect(await mid('gw', 'a', COLOURS.good)).toBe(true);
      expect(await mid('a', 'b', COLOURS.warn)).toBe(true);
      expect(await mid('b', 'gw', COLOURS.bad)).toBe(true);
      // The offline node's link is drawn as down, not hidden.
      expect(await mid('gw', 'dead', COLOURS.lost)).toBe(true);
      // and a link is not drawn in another link's colour.
      expect(await mid('gw', 'a', COLOURS.bad)).toBe(false);
      const centre = async (id: string) => {
        const p = await at(id);
        return pixelAt(p.x, p.y);
      };
      expect(shows(await centre('gw'), COLOURS.gateway)).toBe(true);
      expect(shows(await centre('dead'), COLOURS.bad)).toBe(true);
      expect(shows(await centre('a'), MESH_COLOUR)).toBe(true);
      // Empty space stays empty (the panel's background shows through).
      const gw = await at('gw');
      expect((await pixelAt(gw.x - 30, gw.y + 30))[3]).toBe(0);
    });

    it('shows the pointer over a node, reports a click on it, and ignores empty space', async () => {
      await open(SITE);
      const b = await at('b');
      await page.mouse.move(b.x, b.y);
      await page.waitForSelector('[data-testid=topology-canvas].pointer');
      await page.mouse.click(b.x, b.y);
      await page.mouse.move(b.x + 40, b.y + 40);
      await page.waitForSelector('[data-testid=topology-canvas]:not(.pointer)');
      await page.mouse.click(b.x + 40, b.y + 40);
      expect(await clicks()).toEqual(['b']);
    });

    it('pans with a drag and zooms with the wheel, redrawing the picture where nodes go', async () => {
      await open(SITE);
      // Press on node b and drag: the view follows the pointer, so b stays under it, and the
      // release over b must not count as a click on b.
      const b = await at('b');
      const a = await at('a');
      await page.mouse.move(b.x, b.y);
      await page.mouse.down();
      await page.mouse.move(b.x - 60, b.y - 30, { steps: 6 });
      await page.mouse.up();
      const movedB = await at('b');
      const movedA = await at('a');
      expect(movedB.x).toBeCloseTo(b.x - 60, 0);
      expect(movedB.y).toBeCloseTo(b.y - 30, 0);
      expect(movedA.x).toBeCloseTo(a.x - 60, 0);
      expect(movedA.y).toBeCloseTo(a.y - 30, 0);
      await settled();
      expect(shows(await pixelAt(movedA.x, movedA.y), MESH_COLOUR)).toBe(true);
      expect(await clicks()).toEqual([]);

      // Zoom in around node b (under the pointer): b stays put, a moves away from it.
      await page.mouse.move(movedB.x, movedB.y);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
      await page.waitForFunction(
        ([x, y]) => {
          const t = (document.querySelector('[data-testid=topology-canvas]') as Host).topology;
          const p = t.screenPosition('a')!;
          return Math.hypot(p.x - x!, p.y - y!) > 10;
        },
        [movedA.x, movedA.y],
      );
      const [b2, a2] = [await at('b'), await at('a')];
      expect(Math.hypot(b2.x - movedB.x, b2.y - movedB.y)).toBeLessThan(1);
      expect(Math.hypot(a2.x - b2.x, a2.y - b2.y)).toBeGreaterThan(
        Math.hypot(movedA.x - movedB.x, movedA.y - movedB.y) * 1.5,
      );
      await settled();
      expect(shows(await pixelAt(b2.x, b2.y), MESH_COLOUR)).toBe(true);
    });

    it('keeps the view the user chose across refreshes, and fits new graphs until then', async () => {
      await open(SITE);
      const setGraph = (g: NetworkGraph) =>
        page.evaluate(
          (graph) =>
            (window as unknown as { __setTopologyGraph(g: unknown): void }).__setTopologyGraph(
              graph,
            ),
          g,
        );
      const grown: NetworkGraph = {
        ...SITE,
        nodes: [...SITE.nodes, node('far', 300, 0, {})],
        links: [...SITE.links, link('a', 'far', 210)],
      };
      // Not moved yet: a refresh with a node further out refits, so the new node is on screen.
      const before = await at('a');
      await setGraph(grown);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid=topology-canvas][data-nodes="5"]'),
      );
      const far = await at('far');
      expect(far.x).toBeLessThanOrEqual(800);
      expect((await at('a')).x).toBeLessThan(before.x);
      // After a drag, refreshes keep the view where the user left it.
      await page.mouse.move(400, 300);
      await page.mouse.down();
      await page.mouse.move(350, 280, { steps: 4 });
      await page.mouse.up();
      const dragged = await at('a');
      const movedFar = await at('far');
      // The next refresh no longer lists the link a—far (its radio link died).
      const draws = await page.evaluate(
        () => (document.querySelector('[data-testid=topology-canvas]') as Host).topology.draws,
      );
      await setGraph({ ...grown, links: SITE.links });
      await page.waitForFunction(
        (n) => (document.querySelector('[data-testid=topology-canvas]') as Host).topology.draws > n,
        draws,
      );
      expect(await at('a')).toEqual(dragged);
      expect(await at('far')).toEqual(movedFar);
      expect(shows(await pixelAt(dragged.x, dragged.y), MESH_COLOUR)).toBe(true);
      // The link that disappeared is remembered and drawn as lost, not in its old TQ colour.
      const m = { x: (dragged.x + movedFar.x) / 2, y: (dragged.y + movedFar.y) / 2 };
      expect(await colourShown(m.x, m.y, COLOURS.lost)).toBe(true);
      expect(await colourShown(m.x, m.y, COLOURS.good)).toBe(false);
    });

    it('draws every one of 5,000 links of a 1,000-node site, each in its TQ colour', async () => {
      const big = syntheticGraph(1000, 5000, 42);
      // Count, per stroke colour, the line segments the canvas is asked to stroke in a frame
      // (a frame starts with clearRect): what the renderer draws, link by link.
      await page.addInitScript(() => {
        const proto = CanvasRenderingContext2D.prototype;
        const w = window as unknown as { __strokes: Record<string, number> };
        let pending = 0;
        let frame: Record<string, number> = {};
        const { clearRect, lineTo, stroke, beginPath } = proto;
        proto.clearRect = function (...args) {
          frame = {};
          w.__strokes = frame;
          return clearRect.apply(this, args);
        };
        proto.beginPath = function () {
          pending = 0;
          return beginPath.call(this);
        };
        proto.lineTo = function (...args) {
          pending++;
          return lineTo.apply(this, args);
        };
        proto.stroke = function (this: CanvasRenderingContext2D, path?: Path2D) {
          const colour = String(this.strokeStyle);
          if (pending > 0) frame[colour] = (frame[colour] ?? 0) + pending;
          pending = 0;
          Reflect.apply(stroke, this, path ? [path] : []);
        };
      });
      await open(big);
      expect(await page.getAttribute('[data-testid=topology-canvas]', 'data-links')).toBe('5000');
      await settled();
      await settled();
      const strokes = await page.evaluate(
        () => (window as unknown as { __strokes: Record<string, number> }).__strokes,
      );
      const expected: Record<string, number> = {};
      for (const l of topologyModel(big, new Map()).links)
        expected[l.colour] = (expected[l.colour] ?? 0) + 1;
      expect(Object.values(expected).reduce((x, y) => x + y)).toBe(5000);
      expect(strokes).toEqual(expected);
    });
  },
);
