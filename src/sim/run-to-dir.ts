/**
 * Runs a scenario and writes its outputs to a directory: `trace.jsonl`, `summary.json` and
 * `report.html`. Progress is reported through a callback; with `realtime`, virtual time is
 * paced to the wall clock (for watching a run live next to real components).
 *
 * @example
 * const summary = await runToDir(scenario, { outDir: 'out/run1', seed: 3 });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileLineSink } from './file-sink.ts';
import { renderReport } from './report-html.ts';
import type { Scenario } from './scenario-schema.ts';
import { Simulation, type Summary } from './simulation.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunOptions {
  outDir: string;
  seed?: number | undefined;
  realtime?: boolean;
  /** Called with virtual seconds done, every slice. */
  onProgress?: (virtualS: number) => void;
}

export async function runToDir(scenario: Scenario, o: RunOptions): Promise<Summary> {
  mkdirSync(o.outDir, { recursive: true });
  const sink = new FileLineSink(join(o.outDir, 'trace.jsonl'));
  const sim = new Simulation(scenario, { seed: o.seed, traceSink: sink.write });
  const endMs = scenario.duration_s * 1000;
  const wallStart = performance.now();
  try {
    sim.start();
    let t = 0;
    while (t < endMs) {
      if (o.realtime) {
        // Follow the wall clock in 50 ms slices.
        await sleep(50);
        t = Math.min(endMs, performance.now() - wallStart);
      } else {
        t = Math.min(endMs, t + 1000);
      }
      sim.advanceTo(t);
      o.onProgress?.(t / 1000);
    }
  } finally {
    sink.close();
  }
  const summary = sim.summary((performance.now() - wallStart) / 1000);
  writeFileSync(join(o.outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(o.outDir, 'report.html'), renderReport(sim, summary));
  return summary;
}
