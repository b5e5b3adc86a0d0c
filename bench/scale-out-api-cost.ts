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
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { Ingest } from '../src/controller/ingest.ts';
import { networkGraph } from '../src/controller/netjson.ts';
import { nodeView } from '../src/controller/node-view.ts';
import { siteOverview } from '../src/controller/site-overview.ts';
import { ControllerStore } from '../src/controller/store/controller-store.ts';
import {
  cpuMs,
  ingestAll,
  median,
  measureEachCount,
  simulatedNodes,
  SITE,
  trafficOf,
} from './scale-out/filled-store.ts';

async function measure(n: number, reps: number, dir: string) {
  const store = await ControllerStore.open(join(dir, `api-cost-${n}.db`));
  const ingest = new Ingest({ store, scheduler: new RealScheduler() });
  try {
    const nodes = simulatedNodes(n);
    let now = Date.now();
    await ingestAll(
      ingest,
      trafficOf(nodes, (node) => node.connected(now)),
    );
    // Two periods of steady traffic, the second one timed: does a message cost more with more nodes?
    let ingestCpuPerMessageMs = 0;
    for (let period = 0; period < 2; period++) {
      now += 10_000;
      const publishes = trafficOf(nodes, (node) => node.tick(now));
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
  const results = await measureEachCount('im-scale-api-cost-', measure, (r) =>
    console.log(
      Object.entries(r)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
  );
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
