/**
 * Measures the dashboard's topology view in headless Chromium: a synthetic site of 1,000 nodes
 * and 5,000 links (and two small ones for comparison) drawn by the dashboard's own
 * TopologyCanvas in a 1440×900 page. First render: from the page's script start to the second
 * frame after the first picture. Pan and zoom: for 6 s the mouse drags the view around and turns
 * the wheel in and out (real input events, through Chromium's input pipeline and d3-zoom); the
 * page counts the animation frames the browser ran and those that carried a new picture.
 * Targets: first render under 1 s, pan and zoom at 30 fps or better.
 *
 * Run: npx tsx bench/dashboard-topology.ts [--scale 2] [--clients]   (writes
 * bench/results/dashboard-topology.json; --scale sets the device pixel ratio, and the results go
 * to dashboard-topology-2x.json; --clients adds the Wi-Fi client overlay at its worst, a badge on
 * every node and ten roam arrows always fading, results in dashboard-topology-clients.json)
 */
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CDPSession } from 'playwright-core';
import { chromiumPath, launchChromium, SKIP_REASON } from '../test/e2e/browser.ts';
import { buildDashboard } from '../test/e2e/build-dashboard.ts';

/** What web/src/bench/topology-bench.tsx puts on `window` (that file is TSX, typed for the web). */
interface FrameStats {
  frames: number;
  pictures: number;
  ms: number;
  gapMs: { p50: number; p95: number; max: number };
}
interface BenchWindow {
  __benchReady?: { firstRenderMs: number; nodes: number; links: number };
  __benchStart(): void;
  __benchStop(): FrameStats;
}

const SIZES = [
  // Nearly empty: the fixed cost of a frame (compositing, input), whatever the graph.
  { nodes: 10, links: 20 },
  { nodes: 100, links: 500 },
  { nodes: 1000, links: 5000 },
];
const RUNS = 3;
const GESTURE_MS = 6000;
const VIEWPORT = { width: 1440, height: 900 };

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    nodes: { type: 'string' },
    clients: { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
if (!(scale >= 1 && scale <= 3)) {
  console.error(`--scale must be a device pixel ratio between 1 and 3, got "${values.scale}"`);
  process.exit(2);
}

const sizes = values.nodes ? SIZES.filter((s) => String(s.nodes) === values.nodes) : SIZES;
if (sizes.length === 0) {
  console.error(
    `--nodes must be one of ${SIZES.map((s) => s.nodes).join(', ')}, got "${values.nodes}"`,
  );
  process.exit(2);
}

if (!chromiumPath) {
  console.error(SKIP_REASON);
  process.exit(1);
}

/** A mouse reports 125 times a second or more; this one reports every 8 ms. */
const INPUT_INTERVAL_MS = 8;

/**
 * Pans and zooms as an operator does, for `ms`: drag the view along a loop for a second, turn
 * the wheel in for a second while the pointer moves, drag again, turn the wheel back out, and so
 * on. Events go through Chromium's input pipeline (CDP Input.dispatchMouseEvent) at a mouse's
 * rate without waiting for the page, so a slow page gets its events coalesced, as it would from
 * a real mouse, and the frame rate measured is the page's. Returns the input events sent.
 */
async function panAndZoom(cdp: CDPSession, ms: number): Promise<number> {
  const cx = VIEWPORT.width / 2;
  const cy = VIEWPORT.height / 2;
  const pending: Promise<unknown>[] = [];
  const send = (params: Record<string, unknown>) =>
    pending.push(cdp.send('Input.dispatchMouseEvent', params as never));
  const t0 = Date.now();
  for (let phase = 0; Date.now() - t0 < ms; phase++) {
    const phaseEnd = Math.min(Date.now() + 1000, t0 + ms);
    const drag = phase % 2 === 0;
    // Zoom in during one wheel phase and back out in the next.
    const wheelDelta = phase % 4 === 1 ? -10 : 10;
    if (drag)
      send({ type: 'mousePressed', x: cx, y: cy, button: 'left', buttons: 1, clickCount: 1 });
    let x = cx;
    let y = cy;
    // Events are due every 8 ms from the phase's start; when this process's timers run late
    // (a busy machine), the overdue ones are sent at once, so the rate stays a mouse's.
    const phaseStart = Date.now();
    for (let i = 1; Date.now() < phaseEnd;) {
      for (; i * INPUT_INTERVAL_MS <= Date.now() - phaseStart; i++) {
        const a = (i * INPUT_INTERVAL_MS) / 400;
        x = drag ? cx + 220 * Math.sin(a) : cx + 200 * Math.cos(a);
        y = drag ? cy + 140 * Math.sin(2 * a) : cy + 120 * Math.sin(a);
        if (drag) send({ type: 'mouseMoved', x, y, button: 'left', buttons: 1 });
        else send({ type: 'mouseWheel', x, y, deltaX: 0, deltaY: wheelDelta });
      }
      await sleep(INPUT_INTERVAL_MS / 2);
    }
    if (drag) send({ type: 'mouseReleased', x, y, button: 'left', buttons: 0, clickCount: 1 });
  }
  await Promise.all(pending);
  return pending.length;
}

/**
 * Chromium's own count, from its trace, of the frames its display compositor drew and showed
 * while `during` ran: a check on the page's count that does not rely on the page.
 */
async function displayedFrames<T>(
  cdp: CDPSession,
  during: () => Promise<T>,
): Promise<{ value: T; displayed: number }> {
  let displayed = 0;
  const onData = (e: { value: { name?: string }[] }) => {
    for (const ev of e.value) if (ev.name === 'Display::FrameDisplayed') displayed++;
  };
  cdp.on('Tracing.dataCollected', onData);
  const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['viz'], excludedCategories: ['*'] },
    transferMode: 'ReportEvents',
  });
  try {
    const value = await during();
    return {
      value,
      get displayed() {
        return displayed;
      },
    };
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', onData);
  }
}

interface Run {
  firstRenderMs: number;
  fps: number;
  frames: FrameStats;
  inputEvents: number;
  /** Frames per second Chromium's display compositor showed (its trace), for comparison. */
  displayedFps: number;
}

const root = await buildDashboard();
const server = Fastify();
await server.register(fastifyStatic, { root });
await server.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
const browser = await launchChromium(VIEWPORT);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load: number[] = [];
const results = [];
try {
  for (const size of sizes) {
    const runs: Run[] = [];
    let links = 0;
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.context.newPage();
      try {
        const cdp = await browser.context.newCDPSession(page);
        if (scale !== 1) {
          await cdp.send('Emulation.setDeviceMetricsOverride', {
            ...VIEWPORT,
            deviceScaleFactor: scale,
            mobile: false,
          });
        }
        await page.goto(
          `${base}/topology-bench.html?nodes=${size.nodes}&links=${size.links}${values.clients ? '&clients=1' : ''}`,
        );
        const ready = (await page
          .waitForFunction(() => (window as unknown as BenchWindow).__benchReady, undefined, {
            timeout: 60_000,
          })
          .then((h) => h.jsonValue()))!;
        links = ready.links;
        load.push(loadavg()[0]!);
        const traced = await displayedFrames(cdp, async () => {
          await page.evaluate(() => (window as unknown as BenchWindow).__benchStart());
          const inputEvents = await panAndZoom(cdp, GESTURE_MS);
          const frames = await page.evaluate(() =>
            (window as unknown as BenchWindow).__benchStop(),
          );
          return { inputEvents, frames };
        });
        const { inputEvents, frames } = traced.value;
        runs.push({
          firstRenderMs: ready.firstRenderMs,
          fps: Math.round((frames.pictures / frames.ms) * 10_000) / 10,
          frames,
          inputEvents,
          displayedFps: Math.round((traced.displayed / frames.ms) * 10_000) / 10,
        });
      } finally {
        await page.close();
      }
    }
    const row = {
      nodes: size.nodes,
      links,
      firstRenderMs: {
        median: median(runs.map((r) => r.firstRenderMs)),
        runs: runs.map((r) => r.firstRenderMs),
      },
      // Frames per second that showed a new picture of the moving view.
      panZoomFps: { median: median(runs.map((r) => r.fps)), runs: runs.map((r) => r.fps) },
      frameGapMs: {
        p50: median(runs.map((r) => r.frames.gapMs.p50)),
        p95: median(runs.map((r) => r.frames.gapMs.p95)),
        worst: Math.max(...runs.map((r) => r.frames.gapMs.max)),
      },
      chromiumDisplayedFps: median(runs.map((r) => r.displayedFps)),
      runs: runs.map((r) => ({
        ...r.frames,
        inputEvents: r.inputEvents,
        chromiumDisplayedFps: r.displayedFps,
      })),
    };
    results.push(row);
    console.log(
      `${row.nodes} nodes / ${row.links} links: first render ${row.firstRenderMs.median} ms, ` +
        `pan+zoom ${row.panZoomFps.median} fps (median of ${RUNS}; runs ${row.panZoomFps.runs.join(', ')}), ` +
        `frame gap p50 ${row.frameGapMs.p50} ms, p95 ${row.frameGapMs.p95} ms, worst ${row.frameGapMs.worst} ms; ` +
        `Chromium displayed ${row.chromiumDisplayedFps} frames/s`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}

const big = results.find((r) => r.nodes === 1000) ?? results.at(-1)!;
const report = {
  name: 'dashboard-topology',
  date: new Date().toISOString(),
  machine: `${cpus().length} cores, ${process.platform}, Node ${process.version}, Chromium headless (--disable-gpu: software compositing)`,
  viewport: { ...VIEWPORT, devicePixelRatio: scale },
  clientOverlay: values.clients
    ? 'a count badge on every node, 10 roam arrows always fading'
    : 'none',
  // Other work on the machine during the runs (1-minute load average): the figures depend on it.
  loadAverage: { min: Math.min(...load), max: Math.max(...load) },
  targets: { firstRenderMs: 1000, panZoomFps: 30 },
  met: {
    firstRender: big.firstRenderMs.median < 1000,
    panZoom: big.panZoomFps.median >= 30,
  },
  results,
};
const name =
  (scale === 1 ? 'dashboard-topology' : `dashboard-topology-${scale}x`) +
  (values.clients ? '-clients' : '');
mkdirSync(resolve(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  resolve(import.meta.dirname, `results/${name}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);
console.log(
  `targets met: first render ${report.met.firstRender}, pan+zoom ${report.met.panZoom} ` +
    `(load average ${report.loadAverage.min.toFixed(1)}–${report.loadAverage.max.toFixed(1)})`,
);
