/**
 * CPU cost of the dashboard's whole-site reads before and after the read model
 * (src/controller/read-model/): at 1,000, 5,000 and 10,000 nodes on a SQLite store filled through
 * the real ingest with the scale bench's node traffic (bench/scale-out/node-traffic.ts).
 *
 * - before: what the routes did per request: every node read, viewed, counted (overview) or
 *   drawn and serialised (topology).
 * - rebuild: the read model after a change, once the interval passed: one shared node read for
 *   both, the overview counted, the topology drawn, serialised and hashed for its ETag.
 * - cached: a request within the interval or with nothing changed (the snapshot handed out).
 * - perSecond: one dashboard refreshing both pages twice a second while nodes report: before,
 *   2 × (overview + topology); after, at most one rebuild of each a second (interval 1 s).
 * - topologySplit: the steps of one topology rebuild, each timed alone: reading and parsing the
 *   node table, networkGraph, JSON.stringify, and the SHA-1 of the text for the ETag.
 *
 * HTTP and authentication are left out. CPU time (process.cpuUsage), not wall time: the machine
 * is shared.
 *
 *   npx tsx bench/api-reads.ts [--nodes 1000,5000,10000] [--reps 5]
 *
 * Writes bench/results/api-reads.json.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { VirtualScheduler } from '../src/core/virtual-scheduler.ts';
import { Ingest } from '../src/controller/ingest.ts';
import { networkGraph } from '../src/controller/netjson.ts';
import { nodeView } from '../src/controller/node-view.ts';
import { DashboardReads } from '../src/controller/read-model/dashboard-reads.ts';
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

const CACHED_REQUESTS = 200;

const r2 = (x: number) => Math.round(x * 100) / 100;

async function measure(n: number, reps: number, dir: string) {
  const store = await ControllerStore.open(join(dir, `api-reads-${n}.db`));
  const ingest = new Ingest({ store, scheduler: new RealScheduler() });
  try {
    const nodes = simulatedNodes(n);
    const now = Date.now();
    await ingestAll(
      ingest,
      trafficOf(nodes, (node) => node.connected(now)),
    );
    await ingestAll(
      ingest,
      trafficOf(nodes, (node) => node.tick(now + 10_000)),
    );
    await ingest.idle();

    const before = { overview: [] as number[], topology: [] as number[] };
    for (let r = 0; r < reps; r++) {
      let t0 = cpuMs();
      const at = Date.now();
      const alerts = await store.alerts.listOpen();
      JSON.stringify({
        site: SITE,
        ...siteOverview((await store.nodes.list()).map((rec) => nodeView(rec, at))),
        alerts_open: alerts.length,
        alerts_critical: alerts.filter((a) => a.severity === 'critical').length,
      });
      before.overview.push(cpuMs() - t0);
      t0 = cpuMs();
      JSON.stringify(networkGraph(SITE, await store.nodes.list()));
      before.topology.push(cpuMs() - t0);
    }

    const clock = new VirtualScheduler(Date.now());
    const reads = new DashboardReads({ store, clock, site: SITE, intervalMs: 1000 });
    const rebuild: number[] = [];
    let bytes = 0;
    for (let r = 0; r < reps; r++) {
      reads.onChanges([{ type: 'node', node: nodes[0]!.name }]);
      clock.advance(1000);
      const t0 = cpuMs();
      await reads.overview();
      bytes = (await reads.topology()).value.body.length;
      rebuild.push(cpuMs() - t0);
    }
    const split = {
      readNodes: [] as number[],
      networkGraph: [] as number[],
      stringify: [] as number[],
      etag: [] as number[],
    };
    for (let r = 0; r < reps; r++) {
      let t0 = cpuMs();
      const list = await store.nodes.list();
      split.readNodes.push(cpuMs() - t0);
      t0 = cpuMs();
      const graph = networkGraph(SITE, list);
      split.networkGraph.push(cpuMs() - t0);
      t0 = cpuMs();
      const body = JSON.stringify(graph);
      split.stringify.push(cpuMs() - t0);
      t0 = cpuMs();
      createHash('sha1').update(body).digest('base64url');
      split.etag.push(cpuMs() - t0);
    }

    const t0 = cpuMs();
    for (let i = 0; i < CACHED_REQUESTS; i++) {
      clock.advance(1);
      await reads.overview();
      await reads.topology();
    }
    const cached = (cpuMs() - t0) / CACHED_REQUESTS;

    const beforeBoth = median(before.overview) + median(before.topology);
    return {
      nodes: n,
      topologyBytes: bytes,
      beforeOverviewCpuMs: r2(median(before.overview)),
      beforeTopologyCpuMs: r2(median(before.topology)),
      rebuildBothCpuMs: r2(median(rebuild)),
      cachedBothCpuMs: r2(cached),
      topologySplitCpuMs: {
        readNodes: r2(median(split.readNodes)),
        networkGraph: r2(median(split.networkGraph)),
        stringify: r2(median(split.stringify)),
        etag: r2(median(split.etag)),
      },
      oneUserTwicePerSecondCpuMsPerSecond: {
        before: r2(2 * beforeBoth),
        after: r2(median(rebuild)),
      },
      tenUsersTwicePerSecondCpuMsPerSecond: {
        before: r2(20 * beforeBoth),
        after: r2(median(rebuild) + 19 * cached),
      },
    };
  } finally {
    await ingest.idle();
    await store.close();
  }
}

async function main(): Promise<void> {
  const results = await measureEachCount('im-api-reads-', measure, (r) =>
    console.log(JSON.stringify(r)),
  );
  const out = fileURLToPath(new URL('./results/api-reads.json', import.meta.url));
  writeFileSync(
    out,
    JSON.stringify(
      { date: new Date().toISOString(), cpu: cpus()[0]?.model, cpus: cpus().length, results },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${out}`);
}

await main();
