/**
 * One run of the scale bench at one node count: the real controller process(es) started on a
 * fresh database, N simulated nodes connected from `procs` generator processes (worker.ts), then
 * `durationMs` of steady traffic during which ingest lag, API latency, CPU and memory and the
 * database's growth are measured. Everything is torn down before it returns.
 *
 * One controller uses its embedded broker (the default deployment). Two controllers share a
 * PostgreSQL database and an external Mosquitto (the multi-controller layout of issue 15).
 *
 * @example
 * const r = await runScale({ nodes: 1000, durationMs: 60_000, procs: 2, target: { kind: 'sqlite' }, ... });
 * r.ingestLagMs.p95;
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from '../percentile.ts';
import {
  startControllerProcess,
  type ControllerProcess,
} from '../../test/cli/controller-process.ts';
import { startMosquitto, type MosquittoProcess } from '../../test/mqtt/mosquitto-process.ts';
import { ApiProbes, PROBED_ENDPOINTS, type ProbedEndpoint } from './api-probes.ts';
import { nodeLogins, writeUsersFile, type NodeLogin } from './node-logins.ts';
import { nodeName } from './node-traffic.ts';
import { machineShare, snapshotProcesses, type MachineShare } from './machine-share.ts';
import { ProcUsage, type UsageSummary } from './proc-usage.ts';
import { RANDOM_SECRET_SCRYPT } from '../../src/mqtt/password-hash.ts';
import { openRunDatabase, type RunDatabase, type StoreTarget } from './store-target.ts';
import type { WorkerPlan, WorkerProgress } from './worker.ts';

export interface ScaleRunOptions {
  nodes: number;
  /** Steady traffic measured once every node is connected. */
  durationMs: number;
  /** Generator processes the nodes are spread over. */
  procs: number;
  /** New node connections per second, all generator processes together. */
  connectPerSecond: number;
  /** @default 10_000 */
  periodMs?: number;
  /** Chance a node makes a decision (an event and a new state) in one period. @default 0.05 */
  decisionRate?: number;
  target: StoreTarget;
  controllers: 1 | 2;
  /** Temporary files (users file, SQLite databases without --db, Mosquitto's directory). */
  workDir: string;
  loginCache?: string;
  /**
   * PBKDF2 iterations of the nodes' lines in Mosquitto's password file (two controllers). The
   * deployment default (210,000) costs Mosquitto about 0.3 s of its one thread per login: 10,000
   * nodes would take most of an hour to connect, and as long to render. @default 1000
   */
  brokerHashIterations?: number;
  /**
   * scrypt cost N of the nodes' logins (one controller: its embedded broker checks them). The
   * deployment's 16384 took about 0.5 s a login on a machine at load 15: 10,000 nodes would
   * need over half an hour to connect. @default RANDOM_SECRET_SCRYPT.N
   */
  nodeHashCost?: number;
  /** How long connecting may take before the run is abandoned. @default 15 min */
  connectTimeoutMs?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  samples: number;
}

export interface ProcessFigures extends UsageSummary {
  role: 'controller' | 'broker' | 'generator';
  pid: number;
}

export interface ScaleRunResult {
  nodes: number;
  controllers: number;
  store: string;
  generatorProcesses: number;
  /** From the first connection to the last node connected. */
  connectSeconds: number;
  measuredSeconds: number;
  /** Node event published → announced on the live feed (committed), during the measurement. */
  ingestLagMs: Distribution;
  apiLatencyMs: Record<ProbedEndpoint, Distribution>;
  processes: ProcessFigures[];
  /** Messages per second the broker acknowledged during the measurement. */
  messagesPerSecond: number;
  acked: WorkerProgress['acked'];
  lost: number;
  connectFailures: number;
  firstConnectError?: string;
  /** Node events seen on the live feed over the whole run, against `acked.events`. */
  eventsSeen: number;
  /** Node events in the database after the run, and how many distinct (more stored = doubled). */
  eventsStored: number;
  eventsStoredDistinct: number;
  /** Nodes the overview counts online at the end of the measurement. */
  nodesOnline: number;
  dbBytesAtStart: number;
  dbBytesAtEnd: number;
  /**
   * Growth during the measurement per node, extrapolated to a day. Linear: the store's metric
   * compaction (10 s buckets rolled up after 6 h) makes a real day's growth smaller.
   */
  dbBytesPerNodeDay: number;
  /** What ran beside the bench during the measurement (machine-share.ts). */
  machine: MachineShare;
  /** Mosquitto's PBKDF2 iterations for the nodes (two controllers only). */
  brokerHashIterations?: number;
  /** scrypt N of the nodes' logins (one controller only). */
  nodeHashCost?: number;
  problems: string[];
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const SITE = 'scale';

function distribution(xs: readonly number[]): Distribution {
  if (xs.length === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN, samples: 0 };
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: r(percentile(xs, 50)),
    p95: r(percentile(xs, 95)),
    p99: r(percentile(xs, 99)),
    max: r(Math.max(...xs)),
    samples: xs.length,
  };
}

interface Generator {
  child: ChildProcess;
  progress: WorkerProgress;
  /** Why it ended before its last report, if it did. */
  exited?: string;
  finished: Promise<void>;
}

function startGenerator(plan: WorkerPlan): Generator {
  const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const g: Generator = {
    child,
    progress: {
      connected: 0,
      failed: 0,
      acked: { status: 0, state: 0, metrics: 0, events: 0 },
      lost: 0,
    },
    finished: Promise.resolve(),
  };
  g.finished = new Promise<void>((resolve) => {
    child.on('message', (m: { type: string } & WorkerProgress) => {
      if (m.type !== 'progress') return;
      g.progress = m;
      if (m.final) resolve();
    });
    child.once('exit', (code, signal) => {
      if (!g.progress.final)
        g.exited = `generator ${child.pid} exited early (${signal ?? `status ${code}`})`;
      resolve();
    });
  });
  child.send({ type: 'start', ...plan });
  return g;
}

function sum(gens: readonly Generator[]): WorkerProgress {
  const total: WorkerProgress = {
    connected: 0,
    failed: 0,
    acked: { status: 0, state: 0, metrics: 0, events: 0 },
    lost: 0,
  };
  for (const { progress: p } of gens) {
    total.connected += p.connected;
    total.failed += p.failed;
    total.lost += p.lost;
    total.firstError ??= p.firstError;
    for (const k of Object.keys(total.acked) as (keyof WorkerProgress['acked'])[])
      total.acked[k] += p.acked[k];
  }
  return total;
}

const ackedTotal = (p: WorkerProgress) =>
  p.acked.status + p.acked.state + p.acked.metrics + p.acked.events;

async function until(
  what: string,
  check: () => boolean,
  timeoutMs: number,
  onTick?: () => void,
  /** Where things stood, for the timeout's message. */
  state?: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${Math.round(timeoutMs / 1000)} s${state ? ` (${state()})` : ''}`,
      );
    onTick?.();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

interface Controllers {
  processes: ControllerProcess[];
  mqttUrl: string;
  broker?: MosquittoProcess;
  stop(): Promise<void>;
}

async function startControllers(
  o: ScaleRunOptions,
  db: RunDatabase,
  logins: readonly NodeLogin[],
  adminPassword: string,
): Promise<Controllers> {
  const common = ['--site', SITE, '--db', db.arg, '--port', '0'];
  const env = { INTELLI_MESH_PASSWORD: adminPassword, LOG_LEVEL: 'warn' };
  if (o.controllers === 1) {
    const users = join(o.workDir, `users-${o.nodes}.yaml`);
    writeUsersFile(users, logins, SITE);
    const ctl = await startControllerProcess(
      [...common, '--credentials', users, '--mqtt-port', '0'],
      { env, timeoutMs: 120_000 },
    );
    const plain = ctl.brokers.find((b) => b.url.startsWith('mqtt://'));
    if (!plain) throw new Error(`no plain MQTT URL in the controller's output:\n${ctl.output()}`);
    return { processes: [ctl], mqttUrl: plain.url, stop: async () => void (await ctl.stop()) };
  }
  // Two controllers on one PostgreSQL database and an external broker.
  const ctlPassword = randomBytes(18).toString('base64url');
  const dir = join(o.workDir, `mosquitto-${o.nodes}`);
  mkdirSync(dir, { recursive: true });
  o.log?.(
    `rendering Mosquitto's password file for ${logins.length} nodes (PBKDF2, ${o.brokerHashIterations ?? 1000} iterations)`,
  );
  const broker = await startMosquitto(
    [
      { username: 'controller-1', password: ctlPassword, role: 'controller' },
      { username: 'controller-2', password: ctlPassword, role: 'controller' },
      ...logins.map((l) => ({
        username: nodeName(l.index),
        password: l.password,
        role: 'node' as const,
        site: SITE,
      })),
    ],
    dir,
    undefined,
    // Only the nodes' cost is lowered: the controllers' own lines are two.
    { site: SITE, passwordIterations: o.brokerHashIterations ?? 1000 },
  );
  const processes: ControllerProcess[] = [];
  try {
    for (const n of [1, 2]) {
      processes.push(
        await startControllerProcess(
          [...common, '--mqtt-url', broker.url, '--mqtt-username', `controller-${n}`],
          { env: { ...env, INTELLI_MESH_MQTT_PASSWORD: ctlPassword }, timeoutMs: 120_000 },
        ),
      );
    }
  } catch (err) {
    for (const p of processes) await p.stop();
    await broker.stop();
    throw err;
  }
  return {
    processes,
    mqttUrl: broker.url,
    broker,
    stop: async () => {
      for (const p of processes) await p.stop();
      await broker.stop();
    },
  };
}

export async function runScale(o: ScaleRunOptions): Promise<ScaleRunResult> {
  const log = o.log ?? (() => {});
  const periodMs = o.periodMs ?? 10_000;
  mkdirSync(o.workDir, { recursive: true });
  const nodeHash = { ...RANDOM_SECRET_SCRYPT, N: o.nodeHashCost ?? RANDOM_SECRET_SCRYPT.N };
  const logins = await nodeLogins(
    o.nodes,
    o.loginCache,
    (done, total) => log(`hashing node passwords: ${done}/${total}`),
    nodeHash,
  );
  const db = await openRunDatabase(o.target, o.nodes, o.workDir);
  const adminPassword = randomBytes(18).toString('base64url');
  const problems: string[] = [];
  let controllers: Controllers | undefined;
  let probes: ApiProbes | undefined;
  const generators: Generator[] = [];
  try {
    controllers = await startControllers(o, db, logins, adminPassword);
    const api = (probes = await ApiProbes.connect(
      controllers.processes[0]!.url,
      'admin',
      adminPassword,
    ));
    const usage: { role: ProcessFigures['role']; u: ProcUsage }[] = controllers.processes.map(
      (p) => ({ role: 'controller', u: new ProcUsage(p.child.pid!) }),
    );
    if (controllers.broker?.pid)
      usage.push({ role: 'broker', u: new ProcUsage(controllers.broker.pid) });
    // Nodes dealt round-robin over the generator processes.
    const procs = Math.max(1, Math.min(o.procs, o.nodes));
    for (let w = 0; w < procs; w++) {
      const g = startGenerator({
        url: controllers.mqttUrl,
        site: SITE,
        nodes: o.nodes,
        logins: logins
          .filter((l) => l.index % procs === w)
          .map((l) => ({ index: l.index, password: l.password })),
        connectPerSecond: o.connectPerSecond / procs,
        connectingAtMost: Math.max(1, Math.ceil(32 / procs)),
        periodMs,
        decisionRate: o.decisionRate ?? 0.05,
        seed: o.seed ?? 1,
      });
      generators.push(g);
      usage.push({ role: 'generator', u: new ProcUsage(g.child.pid!) });
    }
    const sampler = setInterval(() => usage.forEach((x) => x.u.sample()), 1000);
    try {
      const connectStart = Date.now();
      await until(
        `${o.nodes} nodes connected`,
        () => {
          const t = sum(generators);
          const gone = generators.find((g) => g.exited);
          if (gone) throw new Error(gone.exited);
          if (t.failed > 0)
            throw new Error(`${t.failed} node connections failed; first: ${t.firstError}`);
          return t.connected >= o.nodes;
        },
        o.connectTimeoutMs ?? 15 * 60_000,
        () => {
          const t = sum(generators);
          if ((Date.now() - connectStart) % 10_000 < 1000)
            log(`connected ${t.connected}/${o.nodes}`);
        },
        () => {
          // Since the start: how the controllers fared while the nodes were coming in.
          const ctl = usage
            .filter((x) => x.role === 'controller')
            .map(({ u }) => {
              const s = u.summary();
              return `${s.cpuPercent} % CPU, ${s.cpuWaitPercent} % waiting for a CPU, ${s.rssMb} MB`;
            });
          return `${sum(generators).connected} of ${o.nodes} connected; controller ${ctl.join(', ')}`;
        },
      );
      const connectSeconds = (Date.now() - connectStart) / 1000;
      log(`all ${o.nodes} nodes connected in ${connectSeconds.toFixed(0)} s; measuring`);
      // One period first, so every node's timer runs and the measurement sees steady traffic.
      await new Promise((resolve) => setTimeout(resolve, Math.min(periodMs, o.durationMs)));
      const since = Date.now();
      const ackedBefore = ackedTotal(sum(generators));
      const dbBytesAtStart = await db.sizeBytes();
      usage.forEach((x) => x.u.reset());
      const machineBefore = snapshotProcesses();
      api.startLatencyLoop();
      await new Promise((resolve) => setTimeout(resolve, o.durationMs));
      const measuredSeconds = (Date.now() - since) / 1000;
      const machine = machineShare(machineBefore, snapshotProcesses(), process.pid);
      await api.stopLatencyLoop();
      const ackedDuring = ackedTotal(sum(generators)) - ackedBefore;
      const dbBytesAtEnd = await db.sizeBytes();
      const overview = await api.getJson<{ nodes_online: number }>('/api/overview');
      const processes = usage.map(({ role, u }) => ({ role, pid: u.pid, ...u.summary() }));
      // The generators stop (clean disconnects), then the last events are waited for.
      for (const g of generators) g.child.send({ type: 'stop' });
      await Promise.all(generators.map((g) => g.finished));
      const totals = sum(generators);
      for (const g of generators) if (g.exited) problems.push(g.exited);
      const seen = () => [...api.eventsSeen.values()].reduce((a, b) => a + b, 0);
      await until(
        'every acknowledged event on the live feed',
        () => seen() >= totals.acked.events,
        30_000,
      ).catch((err: Error) => problems.push(err.message));
      problems.push(...api.problems());
      const stored = await db.nodeEvents();
      if (stored.stored !== stored.distinct)
        problems.push(`${stored.stored - stored.distinct} node events stored twice`);
      if (stored.distinct < totals.acked.events)
        problems.push(
          `${totals.acked.events - stored.distinct} acknowledged node events not stored by the end of the run`,
        );
      return {
        nodes: o.nodes,
        controllers: o.controllers,
        store: db.label,
        generatorProcesses: procs,
        connectSeconds: Math.round(connectSeconds),
        measuredSeconds: Math.round(measuredSeconds),
        ingestLagMs: distribution(api.lagMs(since)),
        apiLatencyMs: Object.fromEntries(
          PROBED_ENDPOINTS.map((e) => [e, distribution(api.latencyMs(e, since))]),
        ) as Record<ProbedEndpoint, Distribution>,
        processes,
        messagesPerSecond: Math.round(ackedDuring / measuredSeconds),
        acked: totals.acked,
        lost: totals.lost,
        connectFailures: totals.failed,
        ...(totals.firstError ? { firstConnectError: totals.firstError } : {}),
        eventsSeen: seen(),
        eventsStored: stored.stored,
        eventsStoredDistinct: stored.distinct,
        nodesOnline: overview.nodes_online,
        dbBytesAtStart,
        dbBytesAtEnd,
        dbBytesPerNodeDay: Math.round(
          ((dbBytesAtEnd - dbBytesAtStart) / o.nodes / measuredSeconds) * 86_400,
        ),
        machine,
        ...(o.controllers === 2
          ? { brokerHashIterations: o.brokerHashIterations ?? 1000 }
          : { nodeHashCost: nodeHash.N }),
        problems,
      };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await probes?.stop().catch(() => undefined);
    for (const g of generators) if (g.child.exitCode === null) g.child.kill('SIGKILL');
    await controllers?.stop();
    await db.close();
  }
}
