/**
 * The topology benchmark page (topology-bench.html?nodes=1000&links=5000): renders a synthetic
 * site with the dashboard's own TopologyCanvas and records what the browser presents while
 * bench/dashboard-topology.ts pans and zooms it with real mouse drags and wheel turns.
 *
 * - `window.__benchReady` appears once the first picture has been painted: `{ firstRenderMs }`,
 *   from the start of the page's script (graph generated and drawn) to the second animation
 *   frame after the renderer's first draw.
 * - `window.__benchStart()` starts recording animation frames; `window.__benchStop()` returns
 *   the frames, how many of them carried a new picture, and the gaps between frames.
 *
 * `&clients=1` adds the Wi-Fi client overlay at its worst: a count badge on every node and ten
 * roam arrows always fading (a new one every 400 ms), so the frame cost of the overlay shows.
 *
 * A browser test can instead inject `window.__topologyGraph` (a NetworkGraph) before the page
 * loads, and replace it later with `window.__setTopologyGraph(graph)` (as a live refresh does);
 * node clicks are collected in `window.__clicks`.
 */
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { NetworkGraph } from '../api/types.ts';
import { TopologyCanvas } from '../components/topology-canvas.tsx';
import type { TopologyRenderer } from '../components/topology-renderer.ts';
import { ROAM_FLASH_MS, type ClientOverlay, type RoamFlash } from '../lib/client-overlay.ts';
import { topologyModel } from '../lib/topology-model.ts';
import { syntheticGraph } from './synthetic-graph.ts';

export interface FrameStats {
  /** Animation frames the browser ran during the recording. */
  frames: number;
  /** Frames in which the renderer drew a new picture. */
  pictures: number;
  ms: number;
  /** Gaps between consecutive animation frames, in ms: median, 95th percentile, worst. */
  gapMs: { p50: number; p95: number; max: number };
}

declare global {
  interface Window {
    __benchReady?: { firstRenderMs: number; nodes: number; links: number };
    __benchStart?: () => void;
    __benchStop?: () => FrameStats;
    __topologyGraph?: NetworkGraph;
    __setTopologyGraph?: (graph: NetworkGraph) => void;
    __clicks?: string[];
  }
}

const start = performance.now();
const params = new URLSearchParams(location.search);
const graph =
  window.__topologyGraph ??
  syntheticGraph(Number(params.get('nodes') ?? 1000), Number(params.get('links') ?? 5000), 42);
window.__clicks = [];

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function instrument(renderer: TopologyRenderer) {
  while (renderer.draws === 0) {
    // StrictMode mounts twice: the first renderer is destroyed before it ever draws.
    if (!renderer.canvas.isConnected) return;
    await nextFrame();
  }
  // The first picture is on screen once a frame has been produced after the one that drew it.
  await nextFrame();
  await nextFrame();
  const firstRenderMs = Math.round((performance.now() - start) * 10) / 10;
  let recording = false;
  let frames = 0;
  let pictures = 0;
  let lastDraws = 0;
  let last = 0;
  let t0 = 0;
  const gaps: number[] = [];
  const onFrame = () => {
    if (!recording) return;
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    frames++;
    if (renderer.draws > lastDraws) pictures++;
    lastDraws = renderer.draws;
    requestAnimationFrame(onFrame);
  };
  window.__benchStart = () => {
    recording = true;
    frames = 0;
    pictures = 0;
    gaps.length = 0;
    lastDraws = renderer.draws;
    t0 = last = performance.now();
    requestAnimationFrame(onFrame);
  };
  window.__benchStop = () => {
    recording = false;
    const sorted = [...gaps].sort((a, b) => a - b);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      frames,
      pictures,
      ms: Math.round(performance.now() - t0),
      gapMs: {
        p50: r1(percentile(sorted, 0.5)),
        p95: r1(percentile(sorted, 0.95)),
        max: r1(sorted.at(-1) ?? 0),
      },
    };
  };
  window.__benchReady = { firstRenderMs, nodes: graph.nodes.length, links: graph.links.length };
}

const withClients = params.get('clients') === '1';

/** A badge on every node (1..12 clients) and a roam every 400 ms between random nodes. */
function useBenchOverlay(): ClientOverlay | undefined {
  const counts = useMemo(
    () => new Map(graph.nodes.map((n, i) => [n.id, 1 + ((i * 7) % 12)] as const)),
    [],
  );
  const [roams, setRoams] = useState<RoamFlash[]>([]);
  useEffect(() => {
    if (!withClients) return;
    let seed = 7;
    const pick = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return graph.nodes[seed % graph.nodes.length]!.id;
    };
    const t = setInterval(() => {
      const now = performance.now();
      setRoams((old) => [
        ...old.filter((r) => now - r.startedAt < ROAM_FLASH_MS),
        {
          mac: `02:00:00:00:00:${String(seed % 100).padStart(2, '0')}`,
          from: pick(),
          to: pick(),
          startedAt: now,
        },
      ]);
    }, 400);
    return () => clearInterval(t);
  }, []);
  return useMemo(() => (withClients ? { counts, roams } : undefined), [counts, roams]);
}

function Bench() {
  const overlay = useBenchOverlay();
  const [current, setCurrent] = useState(graph);
  window.__setTopologyGraph = setCurrent;
  const memory = useMemo(() => new Map(), []);
  const model = useMemo(() => topologyModel(current, memory), [current, memory]);
  return (
    <TopologyCanvas
      model={model}
      height="100vh"
      onNodeClick={(id) => window.__clicks?.push(id)}
      onReady={(renderer) => void instrument(renderer)}
      {...(overlay ? { overlay } : {})}
    />
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Bench />
  </StrictMode>,
);
