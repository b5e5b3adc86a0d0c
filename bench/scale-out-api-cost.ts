/**
 * Where the scale bench's controller time goes, without the machine's share in it: CPU time (not
 * wall time) of one `/api/overview` and one `/api/topology` answer, and of ingesting one node
 * message, at 1,000, 5,000 and 10,000 nodes, in this process on a SQLite store filled through
 * the real ingest with the scale bench's own node traffic (scale-out/node-traffic.ts).
 *
 * The two reads are the route handlers' work (src/controller/http/app.ts): every node read from
 * the store, turned into its view, counted (overview) or drawn (topology), and serialised. HTTP
 * and authentication are left out. CPU time is what the controller must find on the machine
 * whatever else runs; wall time on a shared machine is not.
 *
 *   npx tsx bench/scale-out-api-cost.ts [--nodes 1000,5000,10000] [--reps 5]
 *
 * Writes bench/results/scale-out-api-cost.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { Ingest } from '../src/controller/ingest.ts';
import { networkGraph } from '../src/controller/netjson.ts';
import { nodeView } from '../src/controller/node-view.ts';
import { siteOverview } from '../src/controller/site-overview.ts';
import { ControllerStore } from '../src/controller/store/controller-store.ts';
import { nodeTopic } from '../src/mqtt/topics.ts';
import { mulberry32, SimulatedNode, type NodePublish } from './scale-out/node-traffic.ts';

const SITE = 'scale';
/** Messages per ingest batch: about what the broker hands over at 2,000 messages a second. */
const BATCH = 100;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function ingestAll(ingest: Ingest, publishes: [string, NodePublish][]): Promise<void> {
  for (let i = 0; i < publishes.length; i += BATCH) {
    await ingest.acceptBatch(
      publishes.slice(i, i + BATCH).map(([node, p]) => ({
        topic: nodeTopic(SITE, node, p.channel),
        payload: Buffer.from(JSON.stringify(p.payload)),
      })),
    );
  }
}

async function measure(n: number, reps: number, dir: string) {
  const store = await ControllerStore.open(join(dir, `api-cost-${n}.db`));
  const ingest = new Ingest({ store, scheduler: new RealScheduler() });
  try {
    const nodes = Array.from(
      { length: n },
      (_, index) => new SimulatedNode({ index, nodes: n, random: mulberry32(index) }),
    );
    let now = Date.now();
    await ingestAll(
      ingest,
      nodes.flatMap((node) =>
        node.connected(now).map((p) => [node.name, p] as [string, NodePublish]),
      ),
    );
    // Two periods of steady traffic, the second one timed: does a message cost more with more nodes?
    let ingestCpuPerMessageMs = 0;
    for (let period = 0; period < 2; period++) {
      now += 10_000;
      const publishes = nodes.flatMap((node) =>
        node.tick(now).map((p) => [node.name, p] as [string, NodePublish]),
      );
      const t0 = cpuMs();
      await ingestAll(ingest, publishes);
      ingestCpuPerMessageMs = (cpuMs() - t0) / publishes.length;
    }
    const overview: number[] = [];
    const topology: number[] = [];
    let overviewBytes = 0;
    let topologyBytes = 0;
    for (let r = 0; r < reps; r++) {
      let t0 = cpuMs();
      const at = Date.now();
      const body = JSON.stringify({
        site: SITE,
        ...siteOverview((await store.nodes.list()).map((rec) => nodeView(rec, at))),
        alerts_open: (await store.alerts.listOpen()).length,
      });
      overview.push(cpuMs() - t0);
      overviewBytes = body.length;
      t0 = cpuMs();
      const graph = JSON.stringify(networkGraph(SITE, await store.nodes.list()));
      topology.push(cpuMs() - t0);
      topologyBytes = graph.length;
    }
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return {
      nodes: n,
      ingestCpuMsPer1000Messages: r1(ingestCpuPerMessageMs * 1000),
      overviewCpuMs: r1(median(overview)),
      overviewBytes,
      topologyCpuMs: r1(median(topology)),
      topologyBytes,
    };
  } finally {
    await ingest.idle();
    await store.close();
  }
}

async function main(): Promise<void> {
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
  const dir = mkdtempSync(join(tmpdir(), 'im-scale-api-cost-'));
  const results = [];
  try {
    for (const n of counts) {
      const load = loadavg()[0]!;
      const r = { ...(await measure(n, reps, dir)), loadAverage1m: Math.round(load * 100) / 100 };
      console.log(
        Object.entries(r)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      );
      results.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(
    fileURLToPath(new URL('./results/scale-out-api-cost.json', import.meta.url)),
    JSON.stringify(
      {
        bench: 'scale-out-api-cost',
        date: new Date().toISOString(),
        machine: { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown' },
        store: 'sqlite',
        results,
      },
      null,
      2,
    ) + '\n',
  );
}

await main();
