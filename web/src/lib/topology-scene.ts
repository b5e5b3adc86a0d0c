/**
 * What the topology canvas draws, prepared once per model so that a frame only strokes and
 * fills: links grouped by colour and width (one path per group, a handful of draw calls for
 * thousands of links), nodes grouped by colour and size, plan y flipped to screen y, and the
 * bounds for fitting the view. Also the pure per-frame helpers: fitting the view, node radius at
 * a zoom, the node under the pointer, and which labels fit without overlapping. Pure, so it is
 * unit tested without a browser.
 *
 * @example
 * const scene = buildScene(topologyModel(graph, new Map()), window.devicePixelRatio);
 * const view = fitView(scene.bounds, 1440, 900); // { k, x, y }: screen = k * world + (x, y)
 * pickNode(scene, view, view.k, 720, 450); // index of the node under the pointer, or -1
 */
import type { DrawNode, TopologyModel } from './topology-model.ts';

/**
 * Link count above which links are drawn one pixel wide (except uplinks), on a 1× screen: a
 * one-pixel stroke is rasterised on a fast path, a wider one costs several times more per link.
 * A wide stroke's cost grows with the device pixels it covers, so on a screen of device pixel
 * ratio r the threshold is divided by r² (`hairlinesAbove`).
 */
export const HAIRLINES_ABOVE = 1500;

export function hairlinesAbove(devicePixelRatio: number): number {
  return Math.round(HAIRLINES_ABOVE / (devicePixelRatio * devicePixelRatio));
}

/** Width of a node's uplink (its link to its selected gateway) when links are hairlines. */
export const HAIRLINE_UPLINK_WIDTH = 3;

/** Space kept around the graph when the view is fitted, in CSS pixels. */
export const FIT_PADDING = 40;

/** A node's drawn radius is its model size times this, at the fitted zoom. */
const RADIUS_PER_SIZE = 1;

/** Screen = k × world + (x, y), in CSS pixels: the same shape as d3-zoom's transform. */
export interface View {
  k: number;
  x: number;
  y: number;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** What the renderer needs of a node; x and y are world coordinates: plan x, and plan y negated
 * (plans grow upwards, screens downwards). */
export type SceneNode = Pick<
  DrawNode,
  'id' | 'label' | 'x' | 'y' | 'size' | 'colour' | 'online' | 'gateway'
>;

/** Links of one colour and width: x1, y1, x2, y2 per link, in world coordinates. */
export interface LinkBatch {
  colour: string;
  width: number;
  coords: Float64Array;
}

/** Nodes of one colour and size, as indices into `Scene.nodes`. */
export interface NodeBatch {
  colour: string;
  size: number;
  nodes: Uint32Array;
}

export interface Scene {
  nodes: SceneNode[];
  /** Drawn in order: thin before thick, so a node's way to its gateway stays on top. */
  linkBatches: LinkBatch[];
  /** Drawn in order: mesh nodes first, gateways and offline nodes last (on top). */
  nodeBatches: NodeBatch[];
  /** Node indices in label priority: gateways and offline nodes first, then by id. */
  labelOrder: Uint32Array;
  bounds: Bounds;
  linkCount: number;
  hairlines: boolean;
}

const statusRank: Record<string, number> = { lost: 0, down: 1, bad: 2, warn: 3, unknown: 4 };

export function buildScene(model: TopologyModel, devicePixelRatio = 1): Scene {
  const index = new Map<string, number>();
  const nodes: SceneNode[] = model.nodes.map((n, i) => {
    index.set(n.id, i);
    return {
      id: n.id,
      label: n.label,
      x: n.x,
      y: -n.y,
      size: n.size,
      colour: n.colour,
      online: n.online,
      gateway: n.gateway,
    };
  });
  const hairlines = model.links.length > hairlinesAbove(devicePixelRatio);
  const groups = new Map<string, { colour: string; width: number; rank: number; xy: number[] }>();
  for (const l of model.links) {
    const a = index.get(l.source);
    const b = index.get(l.target);
    if (a === undefined || b === undefined) continue;
    const uplink = l.uplinkOf.length > 0;
    const width = hairlines ? (uplink ? HAIRLINE_UPLINK_WIDTH : 1) : l.size;
    const key = `${width}/${l.colour}`;
    let g = groups.get(key);
    if (!g) {
      g = { colour: l.colour, width, rank: statusRank[l.status] ?? 5, xy: [] };
      groups.set(key, g);
    }
    const p = nodes[a]!;
    const q = nodes[b]!;
    g.xy.push(p.x, p.y, q.x, q.y);
  }
  const linkBatches = [...groups.values()]
    .sort((g, h) => g.width - h.width || g.rank - h.rank)
    .map((g) => ({ colour: g.colour, width: g.width, coords: Float64Array.from(g.xy) }));

  const nodeGroups = new Map<
    string,
    { colour: string; size: number; top: boolean; ids: number[] }
  >();
  nodes.forEach((n, i) => {
    const key = `${n.size}/${n.colour}`;
    let g = nodeGroups.get(key);
    if (!g) {
      g = { colour: n.colour, size: n.size, top: n.gateway || !n.online, ids: [] };
      nodeGroups.set(key, g);
    }
    g.ids.push(i);
  });
  const nodeBatches = [...nodeGroups.values()]
    .sort((g, h) => Number(g.top) - Number(h.top) || g.size - h.size)
    .map((g) => ({ colour: g.colour, size: g.size, nodes: Uint32Array.from(g.ids) }));

  const priority = (n: SceneNode) => (n.gateway ? 0 : n.online ? 2 : 1);
  const labelOrder = Uint32Array.from(
    nodes
      .map((_, i) => i)
      .sort((i, j) => {
        const a = nodes[i]!;
        const b = nodes[j]!;
        return priority(a) - priority(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      }),
  );
  return {
    nodes,
    linkBatches,
    nodeBatches,
    labelOrder,
    bounds: boundsOf(nodes),
    linkCount: model.links.length,
    hairlines,
  };
}

function boundsOf(nodes: SceneNode[]): Bounds {
  if (nodes.length === 0) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x);
    maxX = Math.max(maxX, n.x);
    minY = Math.min(minY, n.y);
    maxY = Math.max(maxY, n.y);
  }
  return { minX, minY, maxX, maxY };
}

/** The view that shows all of `bounds` centred in a width × height viewport. */
export function fitView(
  bounds: Bounds,
  width: number,
  height: number,
  padding = FIT_PADDING,
): View {
  const w = bounds.maxX - bounds.minX;
  const h = bounds.maxY - bounds.minY;
  const room = (size: number, extent: number) =>
    extent > 0 ? Math.max(size - 2 * padding, 1) / extent : Infinity;
  let k = Math.min(room(width, w), room(height, h));
  // A single node (or nodes all at one point) has no extent: any scale shows it; keep 1.
  if (!Number.isFinite(k)) k = 1;
  return {
    k,
    x: width / 2 - k * (bounds.minX + w / 2),
    y: height / 2 - k * (bounds.minY + h / 2),
  };
}

/**
 * A node's radius on screen at zoom `k`, given the zoom `fitK` of the fitted view: it grows with
 * the square root of the zoom (as sigma did), so zooming in separates nodes without them
 * swelling into discs, and stays between 2 px and three times its base size.
 */
export function nodeRadius(size: number, k: number, fitK: number): number {
  const base = size * RADIUS_PER_SIZE;
  return Math.min(Math.max(base * Math.sqrt(k / fitK), 2), base * 3);
}

/** The node whose disc (plus a 3 px margin for fingers and shaky hands) holds the point. */
export function pickNode(scene: Scene, view: View, fitK: number, sx: number, sy: number): number {
  let best = -1;
  let bestD = Infinity;
  scene.nodes.forEach((n, i) => {
    const dx = view.k * n.x + view.x - sx;
    const dy = view.k * n.y + view.y - sy;
    const d = dx * dx + dy * dy;
    const r = nodeRadius(n.size, view.k, fitK) + 3;
    if (d <= r * r && d < bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** Labels are placed on a grid of cells this size (CSS pixels) to test overlaps cheaply. */
const LABEL_CELL = { width: 32, height: 8 };

/** A label's box: its text's height and the gap between a node's disc and its text. */
export const LABEL_HEIGHT = 14;
export const LABEL_GAP = 3;

/**
 * Where a label's text starts: right of its node, unless it would run past the viewport's right
 * edge (a gateway on the east side of a narrow window), then left of the node.
 */
export function labelLeft(sx: number, r: number, textWidth: number, width: number): number {
  const right = sx + r + LABEL_GAP;
  if (right + textWidth <= width) return right;
  return Math.max(0, sx - r - LABEL_GAP - textWidth);
}

/** Below this radius (CSS pixels) a node is too small for its label to be read as its own. */
export const LABEL_MIN_RADIUS = 3;

/**
 * The nodes to label in a width × height viewport, so that no two labels overlap: only nodes on
 * screen, the hovered node first whatever its size, then by priority (gateways, offline nodes,
 * the rest by id) those large enough to be told apart.
 * A label sits right of its node (left of it at the right edge, see labelLeft); `textWidth`
 * gives its width in CSS pixels.
 */
export function chooseLabels(
  scene: Scene,
  view: View,
  fitK: number,
  width: number,
  height: number,
  textWidth: (label: string) => number,
  hovered = -1,
): number[] {
  const chosen: number[] = [];
  const taken = new Set<number>();
  // Cell keys: rows may start just above the top (-1), columns run past the right edge.
  const key = (row: number, col: number) => row * 1e6 + col;
  const place = (i: number, force: boolean): void => {
    const n = scene.nodes[i]!;
    const sx = view.k * n.x + view.x;
    const sy = view.k * n.y + view.y;
    if (sx < 0 || sy < 0 || sx >= width || sy >= height) return;
    const r = nodeRadius(n.size, view.k, fitK);
    if (!force && r < LABEL_MIN_RADIUS) return;
    const w = textWidth(n.label);
    const left = labelLeft(sx, r, w, width);
    const c0 = Math.floor(left / LABEL_CELL.width);
    const c1 = Math.floor((left + w) / LABEL_CELL.width);
    const r0 = Math.floor((sy - LABEL_HEIGHT / 2) / LABEL_CELL.height);
    const r1 = Math.floor((sy + LABEL_HEIGHT / 2) / LABEL_CELL.height);
    if (!force) {
      for (let row = r0; row <= r1; row++)
        for (let col = c0; col <= c1; col++) if (taken.has(key(row, col))) return;
    }
    for (let row = r0; row <= r1; row++)
      for (let col = c0; col <= c1; col++) taken.add(key(row, col));
    chosen.push(i);
  };
  if (hovered >= 0 && hovered < scene.nodes.length) place(hovered, true);
  for (const i of scene.labelOrder) if (i !== hovered) place(i, false);
  return chosen;
}
