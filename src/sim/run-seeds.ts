/**
 * `sim run --seeds`: several seeds of one scenario on a pool of worker threads, one seed per
 * thread at a time. Each seed writes DIR/seed-N/ exactly as `sim run --seed N --out DIR/seed-N`
 * would (a run depends on its scenario and seed only, never on the thread or the order), and
 * DIR/seeds-summary.json combines them (see seeds-summary.ts).
 *
 * @example
 * const combined = await runSeeds(scenario, [1, 2, 3], { outDir: 'out/sim', workers: 2 });
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { IntelliMeshError } from '../core/errors.ts';
import type { Scenario } from './scenario-schema.ts';
import type { SeedJob, SeedResult } from './seed-worker.ts';
import { type SeedsSummary, seedsSummary } from './seeds-summary.ts';
import type { Summary } from './simulation.ts';

/** One seed's run failed inside its worker; names the seed. */
export class SeedRunError extends IntelliMeshError {
  constructor(
    readonly seed: number,
    detail: string,
  ) {
    super(`seed ${seed}: ${detail}`);
  }
}

export interface RunSeedsOptions {
  outDir: string;
  /** Threads at most; default: the machine's available parallelism. */
  workers?: number | undefined;
  /** Called as each seed finishes (in finishing order). */
  onSeedDone?: (seed: number, summary: Summary) => void;
}

export const seedDir = (outDir: string, seed: number): string => join(outDir, `seed-${seed}`);

export async function runSeeds(
  scenario: Scenario,
  seeds: readonly number[],
  o: RunSeedsOptions,
): Promise<SeedsSummary> {
  mkdirSync(o.outDir, { recursive: true });
  const threads = Math.max(1, Math.min(seeds.length, o.workers ?? availableParallelism()));
  const queue = [...seeds];
  const done = new Map<number, Summary>();
  const boot = new URL('./seed-worker-boot.mjs', import.meta.url);
  const work = async (): Promise<void> => {
    const worker = new Worker(boot);
    try {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        const job: SeedJob = { scenario, seed, outDir: seedDir(o.outDir, seed) };
        const result = await new Promise<SeedResult>((resolve, reject) => {
          const onError = (err: Error): void => reject(new SeedRunError(job.seed, err.message));
          worker.once('error', onError);
          worker.once('message', (r: SeedResult) => {
            worker.off('error', onError);
            resolve(r);
          });
          worker.postMessage(job);
        });
        if ('error' in result) throw new SeedRunError(result.seed, result.error);
        done.set(result.seed, result.summary);
        o.onSeedDone?.(result.seed, result.summary);
      }
    } catch (err) {
      queue.length = 0; // the other threads finish their seed and stop
      throw err;
    } finally {
      await worker.terminate();
    }
  };
  const results = await Promise.allSettled(Array.from({ length: threads }, work));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const combined = seedsSummary(
    scenario.name ?? 'unnamed',
    seeds.map((seed) => ({ seed, dir: `seed-${seed}`, summary: done.get(seed)! })),
  );
  writeFileSync(join(o.outDir, 'seeds-summary.json'), JSON.stringify(combined, null, 2) + '\n');
  return combined;
}
