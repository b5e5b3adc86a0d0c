/**
 * Draws a topology scene on one Canvas 2D and lets the user pan and zoom it (d3-zoom: drag,
 * wheel, pinch, double-click), hover a node (its label and a ring) and click it.
 *
 * Why not WebGL (sigma): sigma stacks seven canvases, three of them WebGL, and clears them all
 * on every frame. Where WebGL is rasterised in software (SwiftShader: headless Chromium, virtual
 * desktops, browsers without a usable GPU) each WebGL canvas costs several milliseconds per
 * frame just to be presented, so even an empty graph ran at 35–43 fps and 1,000 nodes at 12.
 * One 2D canvas, links batched into one path per colour and width (a few draw calls for
 * thousands of links), links one device pixel wide past 1,500 links (Skia's fast path), and
 * off-screen links skipped, draws 1,000 nodes and 5,000 links at full quality on every frame of a gesture.
 * Redraws are coalesced to one per animation frame.
 *
 * @example
 * const r = new TopologyRenderer(div, { onNodeClick: (id) => navigate(`#/nodes/${id}`) });
 * r.setModel(topologyModel(graph, memory));
 * r.destroy();
 */
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import { EMPTY_OVERLAY, type ClientOverlay } from '../lib/client-overlay.ts';
import type { TopologyModel } from '../lib/topology-model.ts';
import {
  buildScene,
  chooseLabels,
  fitView,
  labelLeft,
  nodeRadius,
  pickNode,
  type Scene,
  type View,
} from '../lib/topology-scene.ts';
import { drawClientOverlay } from './client-overlay-draw.ts';

/** A drawn label: its node, its text, and where the text starts and ends (CSS pixels). */
export interface LabelBox {
  id: string;
  label: string;
  left: number;
  right: number;
}

/** The browser gave no 2D context for the topology canvas (out of memory, or disabled). */
export class CanvasUnavailableError extends Error {
  constructor(what: string) {
    super(`the topology view cannot draw: ${what} returned no 2D context`);
    this.name = 'CanvasUnavailableError';
  }
}

export interface TopologyRendererOptions {
  onNodeClick?: (id: string) => void;
}

/** How far the user may zoom out and in, relative to the view that fits the whole graph. */
const ZOOM_OUT = 1 / 8;
const ZOOM_IN = 40;

const LABEL_FONT = '12px system-ui, sans-serif';
const LABEL_COLOUR = '#dfe6ee';
const HOVER_RING = '#ffffff';

export class TopologyRenderer {
  readonly canvas: HTMLCanvasElement;
  /** Frames drawn since creation (benchmarks and tests count frames with it). */
  draws = 0;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly resizer: ResizeObserver;
  private model: TopologyModel = { nodes: [], links: [] };
  private scene: Scene = buildScene(this.model);
  private view: View = { k: 1, x: 0, y: 0 };
  private fitK = 1;
  /** Until the user pans or zooms, every new model is fitted to the viewport. */
  private userMoved = false;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private hovered: string | null = null;
  private frame = 0;
  /** Wi-Fi client badges and roam arrows (client-overlay-draw.ts); empty by default. */
  overlay: ClientOverlay = EMPTY_OVERLAY;
  private nodeIndex: Map<string, number> | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly options: TopologyRendererOptions = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.style.cssText = 'display:block;width:100%;height:100%;touch-action:none';
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new CanvasUnavailableError('canvas.getContext("2d")');
    this.ctx = ctx;
    container.appendChild(this.canvas);
    this.zoomer = zoom<HTMLCanvasElement, unknown>().on(
      'zoom',
      (e: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        // Programmatic moves (fitting) carry no source event; a user's drag or wheel does.
        if (e.sourceEvent) this.userMoved = true;
        this.view = { k: e.transform.k, x: e.transform.x, y: e.transform.y };
        this.invalidate();
      },
    );
    select(this.canvas).call(this.zoomer);
    this.canvas.addEventListener('pointermove', this.onPointerMove);
    this.canvas.addEventListener('pointerleave', this.onPointerLeave);
    this.canvas.addEventListener('click', this.onClick);
    this.resizer = new ResizeObserver(() => this.resize());
    this.resizer.observe(container);
    this.resize();
  }

  setModel(model: TopologyModel): void {
    this.model = model;
    this.scene = buildScene(model, this.dpr);
    this.nodeIndex = null;
    if (this.hovered !== null && !this.scene.nodes.some((n) => n.id === this.hovered)) {
      this.setHovered(null);
    }
    if (!this.userMoved) this.fit();
    this.invalidate();
  }

  setOverlay(overlay: ClientOverlay): void {
    this.overlay = overlay;
    this.invalidate();
  }

  /** Shows the whole graph (what the view starts with). */
  fit(): void {
    if (this.width === 0 || this.height === 0 || this.scene.nodes.length === 0) return;
    const v = fitView(this.scene.bounds, this.width, this.height);
    this.fitK = v.k;
    this.zoomer.scaleExtent([v.k * ZOOM_OUT, v.k * ZOOM_IN]);
    select(this.canvas).call(this.zoomer.transform, zoomIdentity.translate(v.x, v.y).scale(v.k));
  }

  /** The labels of the last frame and their horizontal extent in CSS pixels, for tests. */
  labels: readonly LabelBox[] = [];

  /** Where a node is drawn, in CSS pixels from the canvas's top left (tests and benches). */
  screenPosition(id: string): { x: number; y: number } | null {
    const n = this.scene.nodes.find((node) => node.id === id);
    if (!n) return null;
    return { x: this.view.k * n.x + this.view.x, y: this.view.k * n.y + this.view.y };
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.resizer.disconnect();
    select(this.canvas).on('.zoom', null);
    this.canvas.removeEventListener('pointermove', this.onPointerMove);
    this.canvas.removeEventListener('pointerleave', this.onPointerLeave);
    this.canvas.removeEventListener('click', this.onClick);
    this.canvas.remove();
  }

  private resize(): void {
    const width = this.container.clientWidth;
    const height = this.container.clientHeight;
    // A phone's 3× screen would triple every frame's pixels per axis; 2× is sharp enough.
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    // Moved to a screen of another pixel ratio: the links' widths depend on it.
    if (this.scene.nodes.length > 0) {
      this.scene = buildScene(this.model, dpr);
      this.nodeIndex = null;
    }
    if (!this.userMoved) this.fit();
    this.invalidate();
  }

  private invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { ctx, scene, width, height, fitK } = this;
    const { k, x: tx, y: ty } = this.view;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (width === 0 || height === 0) return;
    ctx.lineCap = 'butt';
    for (const batch of scene.linkBatches) {
      const c = batch.coords;
      ctx.strokeStyle = batch.colour;
      // A hairline is one device pixel: on a 2× screen a one-CSS-pixel line would be two device
      // pixels wide, off the rasteriser's fast path (6 fps instead of 40 at 5,000 links).
      ctx.lineWidth = scene.hairlines && batch.width === 1 ? 1 / this.dpr : batch.width;
      ctx.beginPath();
      for (let i = 0; i < c.length; i += 4) {
        const x1 = k * c[i]! + tx;
        const y1 = k * c[i + 1]! + ty;
        const x2 = k * c[i + 2]! + tx;
        const y2 = k * c[i + 3]! + ty;
        // Wholly beyond one edge of the viewport: nothing of it would show.
        if (
          (x1 < 0 && x2 < 0) ||
          (y1 < 0 && y2 < 0) ||
          (x1 > width && x2 > width) ||
          (y1 > height && y2 > height)
        ) {
          continue;
        }
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
      }
      ctx.stroke();
    }
    for (const batch of scene.nodeBatches) {
      const r = nodeRadius(batch.size, k, fitK);
      ctx.fillStyle = batch.colour;
      ctx.beginPath();
      for (const i of batch.nodes) {
        const n = scene.nodes[i]!;
        const sx = k * n.x + tx;
        const sy = k * n.y + ty;
        if (sx < -r || sy < -r || sx > width + r || sy > height + r) continue;
        ctx.moveTo(sx + r, sy);
        ctx.arc(sx, sy, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
    const hovered =
      this.hovered === null ? -1 : scene.nodes.findIndex((n) => n.id === this.hovered);
    if (hovered >= 0) {
      const n = scene.nodes[hovered]!;
      ctx.strokeStyle = HOVER_RING;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(k * n.x + tx, k * n.y + ty, nodeRadius(n.size, k, fitK) + 2, 0, 2 * Math.PI);
      ctx.stroke();
    }
    if (this.overlay !== EMPTY_OVERLAY && this.drawOverlay()) this.invalidate();
    ctx.font = LABEL_FONT;
    ctx.fillStyle = LABEL_COLOUR;
    ctx.textBaseline = 'middle';
    const labels: LabelBox[] = [];
    for (const i of chooseLabels(scene, this.view, fitK, width, height, this.textWidth, hovered)) {
      const n = scene.nodes[i]!;
      const r = nodeRadius(n.size, k, fitK);
      const w = this.textWidth(n.label);
      const left = labelLeft(k * n.x + tx, r, w, width);
      ctx.fillText(n.label, left, k * n.y + ty);
      labels.push({ id: n.id, label: n.label, left, right: left + w });
    }
    this.labels = labels;
    this.draws++;
  }

  /** The client overlay over the nodes; true while a roam arrow is still fading. */
  private drawOverlay(): boolean {
    const { scene, fitK } = this;
    const { k, x: tx, y: ty } = this.view;
    const index = (this.nodeIndex ??= new Map(scene.nodes.map((n, i) => [n.id, i])));
    return drawClientOverlay(
      this.ctx,
      this.overlay,
      (id) => {
        const n = scene.nodes[index.get(id) ?? -1];
        return n ? { x: k * n.x + tx, y: k * n.y + ty, r: nodeRadius(n.size, k, fitK) } : null;
      },
      performance.now(),
    );
  }

  /** Label widths, measured once per label text (measuring on every frame costs). */
  private readonly widths = new Map<string, number>();
  private readonly textWidth = (label: string): number => {
    let w = this.widths.get(label);
    if (w === undefined) {
      this.ctx.font = LABEL_FONT;
      w = this.ctx.measureText(label).width;
      this.widths.set(label, w);
    }
    return w;
  };

  private nodeAt(e: MouseEvent): number {
    return pickNode(this.scene, this.view, this.fitK, e.offsetX, e.offsetY);
  }

  private setHovered(id: string | null): void {
    if (id === this.hovered) return;
    this.hovered = id;
    this.container.classList.toggle('pointer', id !== null);
    this.invalidate();
  }

  private readonly onPointerMove = (e: PointerEvent) => {
    // While a button is down the pointer is dragging the view, not pointing at nodes.
    if (e.buttons !== 0) return;
    const i = this.nodeAt(e);
    this.setHovered(i >= 0 ? this.scene.nodes[i]!.id : null);
  };

  private readonly onPointerLeave = () => this.setHovered(null);

  private readonly onClick = (e: MouseEvent) => {
    const i = this.nodeAt(e);
    if (i >= 0) this.options.onNodeClick?.(this.scene.nodes[i]!.id);
  };
}
