/**
 * The worker-thread side of `sim run --seeds`: runs one seed of a scenario at a time, as a
 * single `sim run --seed N --out DIR` would (same code, same output bytes), and answers with
 * its summary or the error's message.
 */
import { parentPort } from 'node:worker_threads';
import { runToDir } from './run-to-dir.ts';
import type { Scenario } from './scenario-schema.ts';
import type { Summary } from './simulation.ts';

export interface SeedJob {
  scenario: Scenario;
  seed: number;
  outDir: string;
}

export type SeedResult = { seed: number; summary: Summary } | { seed: number; error: string };

const port = parentPort;
if (!port) throw new Error('seed-worker.ts runs only as a worker thread');
port.on('message', (job: SeedJob) => {
  runToDir(job.scenario, { outDir: job.outDir, seed: job.seed }).then(
    (summary) => port.postMessage({ seed: job.seed, summary } satisfies SeedResult),
    (err: unknown) =>
      port.postMessage({
        seed: job.seed,
        error: err instanceof Error ? err.message : String(err),
      } satisfies SeedResult),
  );
});
