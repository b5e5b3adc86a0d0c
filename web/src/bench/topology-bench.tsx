/**
 * The topology benchmark page (topology-bench.html?nodes=1000&links=5000): renders a synthetic
 * graph with the dashboard's own TopologyCanvas, marks the first render, then pans and zooms the
 * camera on every animation frame for a few seconds and counts frames. The result lands in
 * `window.__benchResult` for bench/dashboard-topology.ts to collect.
 */
import { StrictMode, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import type Sigma from 'sigma';
import { TopologyCanvas } from '../components/topology-canvas.tsx';
import { topologyModel } from '../lib/topology-model.ts';
import { syntheticGraph } from './synthetic-graph.ts';

export interface BenchResult {
  nodes: number;
  links: number;
  firstRenderMs: number;
  panZoomFrames: number;
  panZoomMs: number;
  fps: number;
  worstFrameMs: number;
}

declare global {
  interface Window {
    __benchResult?: BenchResult;
  }
}

const params = new URLSearchParams(location.search);
const nodeCount = Number(params.get('nodes') ?? 1000);
const linkCount = Number(params.get('links') ?? 5000);
const durationMs = Number(params.get('ms') ?? 3000);

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));

async function measure(sigma: Sigma, start: number) {
  // The first render is on screen once a frame has been painted after the renderer drew it.
  await nextFrame();
  await nextFrame();
  const firstRenderMs = performance.now() - start;
  performance.mark('topology-first-render');
  // Pan and zoom as an operator does: camera animations one after another, which sigma treats
  // as movement (as it does a drag or a wheel turn). Frames are the renders sigma completed.
  const camera = sigma.getCamera();
  let renders = 0;
  let last = performance.now();
  let worst = 0;
  sigma.on('afterRender', () => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
    renders++;
  });
  const t0 = performance.now();
  last = t0;
  for (let step = 0; performance.now() - t0 < durationMs; step++) {
    await camera.animate(
      {
        x: 0.5 + 0.25 * Math.sin(step * 1.3),
        y: 0.5 + 0.25 * Math.cos(step * 0.9),
        ratio: step % 2 === 0 ? 0.35 : 1.1,
      },
      { duration: 500, easing: 'linear' },
    );
  }
  const elapsed = performance.now() - t0;
  window.__benchResult = {
    nodes: nodeCount,
    links: sigma.getGraph().size,
    firstRenderMs: Math.round(firstRenderMs * 10) / 10,
    panZoomFrames: renders,
    panZoomMs: Math.round(elapsed),
    fps: Math.round((renders / elapsed) * 10000) / 10,
    worstFrameMs: Math.round(worst * 10) / 10,
  };
}

function Bench() {
  const start = useMemo(() => {
    performance.mark('topology-start');
    return performance.now();
  }, []);
  const model = useMemo(
    () => topologyModel(syntheticGraph(nodeCount, linkCount, 42), new Map()),
    [],
  );
  return (
    <TopologyCanvas
      model={model}
      height="100vh"
      onReady={(sigma) => {
        // The model is written by the canvas's own effect right after this; measure from then.
        queueMicrotask(() => void measure(sigma, start));
      }}
    />
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Bench />
  </StrictMode>,
);
