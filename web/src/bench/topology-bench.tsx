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
  const camera = sigma.getCamera();
  let frames = 0;
  let worst = 0;
  const t0 = await nextFrame();
  let prev = t0;
  for (;;) {
    const t = await nextFrame();
    worst = Math.max(worst, t - prev);
    prev = t;
    frames++;
    const phase = (t - t0) / 1000;
    camera.setState({
      x: 0.5 + 0.2 * Math.sin(phase * 2),
      y: 0.5 + 0.2 * Math.cos(phase * 1.5),
      ratio: 0.6 + 0.45 * Math.sin(phase * 1.2),
      angle: 0,
    });
    if (t - t0 >= durationMs) {
      const elapsed = t - t0;
      window.__benchResult = {
        nodes: nodeCount,
        links: sigma.getGraph().size,
        firstRenderMs: Math.round(firstRenderMs * 10) / 10,
        panZoomFrames: frames,
        panZoomMs: Math.round(elapsed),
        fps: Math.round((frames / elapsed) * 10000) / 10,
        worstFrameMs: Math.round(worst * 10) / 10,
      };
      return;
    }
  }
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
