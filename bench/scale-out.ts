/**
 * Scale bench (issue 15): N simulated nodes as real MQTT clients, each with its own login, from
 * `--procs` generator processes, against the real controller process(es), for each node count of
 * `--nodes`. Reports ingest lag p95 (node event published → committed and on the live feed),
 * API latency p95 of /api/overview and /api/topology under load, CPU and memory per process,
 * and database growth per node-day. Writes bench/results/scale-out.json (runs of other
 * configurations already in it are kept) and bench/results/scale-out-lag.svg.
 *
 *   npx tsx bench/scale-out.ts --nodes 1000,5000 --duration 60
 *   npx tsx bench/scale-out.ts --nodes 1000 --db postgres              # private PostgreSQL
 *   npx tsx bench/scale-out.ts --nodes 1000 --db postgres://u:p@host/db --controllers 2
 *
 * Options: --nodes LIST (1000,5000,10000), --duration SECONDS (60), --db PATH|postgres|URL
 * (a fresh SQLite file per run in a temporary directory), --controllers 1|2 (1), --procs N
 * (one generator process per 2,500 nodes, at least 2), --connect-rate PER_SECOND (25: each
 * login is a scrypt check), --period SECONDS (10), --decision-rate P (0.05 a node and period),
 * --login-cache FILE (the nodes' hashed passwords, kept between runs), --connect-timeout SECONDS
 * (900: how long all nodes may take to log in; a busy machine checks a few logins a second),
 * --broker-hash-iterations N (1000: PBKDF2 iterations of the nodes' Mosquitto logins with two
 * controllers; the deployment default of 210,000 would take most of an hour for 10,000 nodes),
 * --node-hash-cost N (16384, the deployment's scrypt cost for generated node secrets: lower it,
 * e.g. 1024, where a busy machine would spend most of an hour admitting 10,000 logins; only the
 * connect phase pays it, the measured steady traffic does not), --plot-only (draw the SVG
 * again from the JSON, measuring nothing).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { lineChart, type Series } from '../src/sim/svg.ts';
import { runScale, type ScaleRunResult } from './scale-out/scale-run.ts';
import {
  assertControllerSupports,
  parseDbOption,
  ScaleOptionError,
} from './scale-out/store-target.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const JSON_FILE = join(RESULTS, 'scale-out.json');
const SVG_FILE = join(RESULTS, 'scale-out-lag.svg');

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ScaleOptionError(`${flag} ${value}: expected a positive number`);
  return n;
}

/** scrypt's N: a power of two above 1 (Node refuses anything else). */
function scryptCost(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0)
    throw new ScaleOptionError(`--node-hash-cost ${value}: expected a power of two, e.g. 1024`);
  return n;
}

function options() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000,5000,10000' },
      duration: { type: 'string', default: '60' },
      db: { type: 'string' },
      controllers: { type: 'string', default: '1' },
      procs: { type: 'string' },
      'connect-rate': { type: 'string', default: '25' },
      period: { type: 'string', default: '10' },
      'decision-rate': { type: 'string', default: '0.05' },
      'login-cache': { type: 'string' },
      'connect-timeout': { type: 'string', default: '900' },
      'broker-hash-iterations': { type: 'string', default: '1000' },
      'node-hash-cost': { type: 'string', default: '16384' },
      'plot-only': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const nodes = values.nodes.split(',').map((n) => {
    const v = positiveNumber('--nodes', n.trim());
    if (!Number.isInteger(v)) throw new ScaleOptionError(`--nodes ${n}: expected whole numbers`);
    return v;
  });
  const controllers = Number(values.controllers);
  const target = parseDbOption(values.db);
  assertControllerSupports(target, controllers);
  const decisionRate = Number(values['decision-rate']);
  if (!(decisionRate >= 0 && decisionRate <= 1))
    throw new ScaleOptionError(`--decision-rate ${values['decision-rate']}: expected 0..1`);
  return {
    plotOnly: values['plot-only'],
    nodes,
    durationMs: positiveNumber('--duration', values.duration) * 1000,
    target,
    controllers: controllers as 1 | 2,
    procs: values.procs === undefined ? undefined : positiveNumber('--procs', values.procs),
    connectPerSecond: positiveNumber('--connect-rate', values['connect-rate']),
    periodMs: positiveNumber('--period', values.period) * 1000,
    decisionRate,
    loginCache: values['login-cache'],
    connectTimeoutMs: positiveNumber('--connect-timeout', values['connect-timeout']) * 1000,
    nodeHashCost: scryptCost(values['node-hash-cost']),
    brokerHashIterations: Math.round(
      positiveNumber('--broker-hash-iterations', values['broker-hash-iterations']),
    ),
  };
}

type Figures = Record<string, number | string>;

/**
 * How long the bench waits, after the nodes stop, for every acknowledged event on the live feed
 * (scale-run.ts). A run with no event of its measurement seen by then lagged at least this much.
 */
const LIVE_FEED_WAIT_MS = 30_000;
const CHART_WIDTH = 720;
const CHART_HEIGHT = 280;

/** Ingest lag p95 to plot: measured, or the lower bound of a run that fell behind; else none. */
function plottedLag(f: Figures): { ms: number; atLeast: boolean } | undefined {
  if (typeof f.ingestLagP95Ms === 'number' && Number.isFinite(f.ingestLagP95Ms))
    return { ms: f.ingestLagP95Ms, atLeast: false };
  if (typeof f.ingestLagAtLeastMs === 'number') return { ms: f.ingestLagAtLeastMs, atLeast: true };
  // Runs recorded before ingestLagAtLeastMs existed: the same rule, read from their problems.
  if (
    f.ingestLagSamples === 0 &&
    /every acknowledged event on the live feed/.test(String(f.problems))
  )
    return { ms: LIVE_FEED_WAIT_MS, atLeast: true };
  return undefined;
}

/** One run as the flat figures of the house style (bench-report.ts), with its own date and load. */
function figures(r: ScaleRunResult, loadBefore: number[], loadAfter: number[]): Figures {
  const f: Figures = {
    date: new Date().toISOString(),
    nodes: r.nodes,
    controllers: r.controllers,
    store: r.store,
    generatorProcesses: r.generatorProcesses,
    connectSeconds: r.connectSeconds,
    measuredSeconds: r.measuredSeconds,
    messagesPerSecond: r.messagesPerSecond,
    ingestLagP50Ms: r.ingestLagMs.p50,
    ingestLagP95Ms: r.ingestLagMs.p95,
    ingestLagP99Ms: r.ingestLagMs.p99,
    ingestLagMaxMs: r.ingestLagMs.max,
    ingestLagSamples: r.ingestLagMs.samples,
    overviewP50Ms: r.apiLatencyMs['/api/overview'].p50,
    overviewP95Ms: r.apiLatencyMs['/api/overview'].p95,
    overviewSamples: r.apiLatencyMs['/api/overview'].samples,
    topologyP50Ms: r.apiLatencyMs['/api/topology'].p50,
    topologyP95Ms: r.apiLatencyMs['/api/topology'].p95,
    topologySamples: r.apiLatencyMs['/api/topology'].samples,
    dbBytesAtStart: r.dbBytesAtStart,
    dbBytesAtEnd: r.dbBytesAtEnd,
    dbBytesPerNodeDay: r.dbBytesPerNodeDay,
    ackedStatus: r.acked.status,
    ackedState: r.acked.state,
    ackedMetrics: r.acked.metrics,
    ackedEvents: r.acked.events,
    eventsSeen: r.eventsSeen,
    eventsStored: r.eventsStored,
    eventsStoredDistinct: r.eventsStoredDistinct,
    lost: r.lost,
    connectFailures: r.connectFailures,
    nodesOnline: r.nodesOnline,
    // The machine is shared: what else ran beside the bench is part of the figures.
    loadAverage1mBefore: Math.round(loadBefore[0]! * 100) / 100,
    loadAverage1mAfter: Math.round(loadAfter[0]! * 100) / 100,
    otherCpuPercent: r.machine.otherCpuPercent,
    otherProcesses: r.machine.others,
  };
  if (r.store !== 'sqlite') f.databaseCpuPercent = r.machine.databaseCpuPercent;
  if (r.brokerHashIterations !== undefined) f.brokerHashIterations = r.brokerHashIterations;
  if (r.nodeHashCost !== undefined) f.nodeHashCost = r.nodeHashCost;
  r.processes.forEach((p, i) => {
    const name = `${p.role}${r.processes.filter((q, j) => q.role === p.role && j < i).length + 1}`;
    f[`${name}CpuPercent`] = p.cpuPercent;
    f[`${name}RssMb`] = p.rssMb;
    f[`${name}PeakRssMb`] = p.peakRssMb;
    f[`${name}CpuWaitPercent`] = p.cpuWaitPercent;
  });
  // CPU per message does not depend on how much of the machine the controller got.
  const controllerCpu = r.processes
    .filter((p) => p.role === 'controller')
    .reduce((a, p) => a + p.cpuPercent, 0);
  if (r.messagesPerSecond > 0)
    f.controllerCpuMsPer1000Messages =
      Math.round(((controllerCpu * 10) / r.messagesPerSecond) * 1000 * 10) / 10;
  if (r.problems.length > 0) f.problems = r.problems.join('; ');
  if (r.ingestLagMs.samples === 0 && r.eventsSeen < r.acked.events)
    f.ingestLagAtLeastMs = LIVE_FEED_WAIT_MS;
  return f;
}

function scenarioName(r: ScaleRunResult): string {
  return `${r.store.split(' ')[0]}-${r.controllers}ctl-${r.nodes}`;
}

function readResults(): Record<string, Figures> {
  if (!existsSync(JSON_FILE)) return {};
  try {
    return (
      (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as { results?: Record<string, Figures> })
        .results ?? {}
    );
  } catch {
    return {};
  }
}

function writeResults(results: Record<string, Figures>): void {
  mkdirSync(RESULTS, { recursive: true });
  const body = {
    bench: 'scale-out',
    date: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1e9),
      node: process.version,
      kernel: release(),
    },
    results,
  };
  writeFileSync(JSON_FILE, JSON.stringify(body, null, 2) + '\n');
  // One line per configuration: ingest lag p95 against the node count.
  const byConfig = new Map<string, Series>();
  for (const f of Object.values(results)) {
    const name = `${f.store}, ${f.controllers} controller${f.controllers === 1 ? '' : 's'} (p95)`;
    const s = byConfig.get(name) ?? { name, points: [] };
    const lag = plottedLag(f);
    if (lag) s.points.push([Number(f.nodes), lag.ms]);
    byConfig.set(name, s);
  }
  const series = [...byConfig.values()]
    .filter((s) => s.points.length > 0)
    .map((s) => ({
      ...s,
      points: s.points.sort((a, b) => a[0] - b[0]),
    }));
  let svg = lineChart({
    title: 'Ingest lag p95 (publish → committed, on the live feed) against node count',
    xLabel: 'simulated nodes',
    yLabel: 'ingest lag p95 (ms)',
    series,
    markers: true,
    xMin: 0,
    yMin: 0,
    yMax: LIVE_FEED_WAIT_MS * 1.4, // room above the bound for the names of the lines
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
  });
  // The chart names its lines; what a point at the bound means, and the failed runs, go below it.
  const notes = [
    `A point at ${LIVE_FEED_WAIT_MS / 1000} s: that run fell behind (no event of its measurement on the live feed ${LIVE_FEED_WAIT_MS / 1000} s after it): its lag was at least that.`,
    ...Object.entries(results)
      .filter(([, f]) => typeof f.failed === 'string')
      .map(([name]) => `${name} failed: not plotted (why: scale-out.json).`),
  ];
  const H = CHART_HEIGHT + notes.length * 14 + 8;
  svg = svg
    .replace(
      `height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}"`,
      `height="${H}" viewBox="0 0 ${CHART_WIDTH} ${H}"`,
    )
    .replace(
      `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`,
      `<rect width="${CHART_WIDTH}" height="${H}"`,
    )
    .replace(
      '</svg>',
      `${notes.map((n, i) => `<text x="10" y="${CHART_HEIGHT + 4 + i * 14}" fill="#555">${n}</text>`).join('')}</svg>`,
    );
  writeFileSync(SVG_FILE, svg + (svg.endsWith('\n') ? '' : '\n'));
}

async function main(): Promise<void> {
  const o = options();
  if (o.plotOnly) {
    // The plot drawn again from the figures already measured.
    writeResults(readResults());
    return;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'intelli-mesh-scale-'));
  try {
    for (const nodes of o.nodes) {
      const loadBefore = loadavg();
      console.log(
        `scale-out: ${nodes} nodes, ${o.controllers} controller(s), load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
      );
      let result: ScaleRunResult;
      try {
        result = await runScale({
          nodes,
          durationMs: o.durationMs,
          procs: o.procs ?? Math.max(2, Math.ceil(nodes / 2500)),
          connectPerSecond: o.connectPerSecond,
          periodMs: o.periodMs,
          decisionRate: o.decisionRate,
          target: o.target,
          controllers: o.controllers,
          workDir,
          loginCache: o.loginCache,
          connectTimeoutMs: o.connectTimeoutMs,
          brokerHashIterations: o.brokerHashIterations,
          nodeHashCost: o.nodeHashCost,
          log: (line) => console.log(`  ${line}`),
        });
      } catch (err) {
        if (err instanceof ScaleOptionError) throw err;
        // A run that failed is a figure too (where the limit is): recorded, and the next goes on.
        const message = err instanceof Error ? err.message : String(err);
        console.error(`scale-out: ${nodes} nodes failed: ${message}`);
        // The labels of openRunDatabase, so a failure joins its configuration's line.
        const store = {
          sqlite: 'sqlite',
          'postgres-private': 'postgres (private server)',
          postgres: 'postgres',
        }[o.target.kind];
        writeResults({
          ...readResults(),
          [`${store.split(' ')[0]}-${o.controllers}ctl-${nodes}`]: {
            date: new Date().toISOString(),
            nodes,
            controllers: o.controllers,
            store,
            failed: message,
            loadAverage1mBefore: Math.round(loadBefore[0]! * 100) / 100,
            loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
          },
        });
        continue;
      }
      const f = figures(result, loadBefore, loadavg());
      console.log(
        `scale-out ${scenarioName(result)}: ${Object.entries(f)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
      // Written after every run: a long series interrupted keeps what it measured.
      writeResults({ ...readResults(), [scenarioName(result)]: f });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof ScaleOptionError) {
    console.error(`error: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
