/**
 * `intelli-mesh sim run SCENARIO [--seed N] [--out DIR] [--realtime]`: runs a scenario on the
 * deterministic simulator and writes trace.jsonl, summary.json and report.html to DIR. A
 * progress bar appears on stderr when stderr is a terminal. With `--seeds 1..8` (or `1,3,5`)
 * it runs those seeds on worker threads instead (see src/sim/run-seeds.ts).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { runToDir } from '../../sim/run-to-dir.ts';
import { parseScenario } from '../../sim/scenario.ts';
import { integerIn } from '../options.ts';
import { runSeedsCommand, seedListOption } from './sim-seeds.ts';

interface SimRunOptions {
  seed?: number;
  seeds?: number[];
  workers?: number;
  out: string;
  realtime: boolean;
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('Deterministic mesh simulator');
  sim
    .command('run')
    .description('Run a scenario file; writes trace.jsonl, summary.json and report.html')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seed <n>', 'seed overriding the scenario', integerIn(0, 0xffffffff))
    .option('--out <dir>', 'output directory', 'out/sim')
    .option('--realtime', 'pace virtual time to the wall clock', false)
    .option('--seeds <list>', 'run several seeds on worker threads: 1..8 or 1,3,5', seedListOption)
    .option('--workers <n>', 'threads for --seeds (default: one per CPU)', integerIn(1, 256))
    .action(async (file: string, opts: SimRunOptions) => {
      const scenario = parseScenario(readFileSync(file, 'utf8'), basename(file));
      if (opts.seeds) return runSeedsCommand(scenario, opts.seeds, opts);
      const bar = process.stderr.isTTY
        ? new SingleBar({
            stream: process.stderr,
            format: 'sim [{bar}] {value}/{total} virtual s | {duration}s wall',
          })
        : undefined;
      bar?.start(scenario.duration_s, 0);
      try {
        const summary = await runToDir(scenario, {
          outDir: opts.out,
          seed: opts.seed,
          realtime: opts.realtime,
          onProgress: (s) => bar?.update(Math.floor(s)),
        });
        bar?.stop();
        const conv = summary.convergence_s;
        console.log(
          `${summary.scenario}: ${summary.nodes} nodes, ${summary.virtual_s} s virtual in ${summary.wall_s} s; ` +
            `PDR ${summary.pdr}, latency p50 ${summary.latency_ms.p50} ms, convergence median ${conv.median} s, ` +
            `overhead ${summary.overhead_bytes_per_node_s} B/node/s -> ${opts.out}`,
        );
      } finally {
        bar?.stop();
      }
    });
}
