/**
 * A SQLite store filled through the real ingest with the scale bench's own node traffic, and the
 * CPU-time measuring both in-process API benches share (bench/api-reads.ts,
 * bench/scale-out-api-cost.ts). CPU time, not wall time: the machine is shared.
 *
 * @example
 * const nodes = simulatedNodes(5000);
 * await ingestAll(ingest, trafficOf(nodes, (node) => node.connected(Date.now())));
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Ingest } from '../../src/controller/ingest.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { mulberry32, SimulatedNode, type NodePublish } from './node-traffic.ts';

export const SITE = 'scale';
/** Messages per ingest batch: about what the broker hands over at 2,000 messages a second. */
const BATCH = 100;

export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function simulatedNodes(n: number): SimulatedNode[] {
  return Array.from(
    { length: n },
    (_, index) => new SimulatedNode({ index, nodes: n, random: mulberry32(index) }),
  );
}

/** Every node's publishes of one step (connect or tick), tagged with the node's name. */
export function trafficOf(
  nodes: readonly SimulatedNode[],
  step: (node: SimulatedNode) => NodePublish[],
): [string, NodePublish][] {
  return nodes.flatMap((node) => step(node).map((p) => [node.name, p] as [string, NodePublish]));
}

export async function ingestAll(ingest: Ingest, publishes: [string, NodePublish][]): Promise<void> {
  for (let i = 0; i < publishes.length; i += BATCH) {
    await ingest.acceptBatch(
      publishes.slice(i, i + BATCH).map(([node, p]) => ({
        topic: nodeTopic(SITE, node, p.channel),
        payload: Buffer.from(JSON.stringify(p.payload)),
      })),
    );
  }
}

/** `--nodes 1000,5000,10000 --reps 5`, checked; exits with a one-line error otherwise. */
export function nodeCountsAndReps(): { counts: number[]; reps: number } {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000,5000,10000' },
      reps: { type: 'string', default: '5' },
    },
  });
  const counts = values.nodes.split(',').map(Number);
  const reps = Number(values.reps);
  if (counts.some((c) => !Number.isInteger(c) || c <= 0) || !(reps >= 1)) {
    console.error('error: --nodes takes whole numbers (1000,5000), --reps a positive number');
    process.exit(2);
  }
  return { counts, reps };
}

/**
 * Runs `measure` for each `--nodes` count with `--reps`, in a temporary directory removed
 * afterwards, and tags each result with the 1-minute load average at its start (the figures
 * mean little on a busy machine without it); `print` shows each as it comes.
 */
export async function measureEachCount<R extends object>(
  dirPrefix: string,
  measure: (nodes: number, reps: number, dir: string) => Promise<R>,
  print: (result: R & { loadAverage1m: number }) => void,
): Promise<(R & { loadAverage1m: number })[]> {
  const { counts, reps } = nodeCountsAndReps();
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const results: (R & { loadAverage1m: number })[] = [];
  try {
    for (const n of counts) {
      const load = loadavg()[0]!;
      const r = { ...(await measure(n, reps, dir)), loadAverage1m: Math.round(load * 100) / 100 };
      print(r);
      results.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
