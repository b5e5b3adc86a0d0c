/**
 * Controller ingest throughput: messages per second from MQTT publishers into the controller's
 * SQLite file, each one validated, committed and acknowledged (QoS 1), through the embedded
 * Aedes broker and through Mosquitto.
 *
 *   npx tsx bench/controller-ingest.ts [--messages 100000] [--nodes 50] [--broker aedes|aedes-thread|mosquitto]
 *
 * Prints the figures and writes bench/results/controller-ingest.json.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, fork } from 'node:child_process';
import { parseArgs } from 'node:util';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { startController } from '../src/controller/controller.ts';
import { CredentialStore } from '../src/mqtt/credential-store.ts';
import { startBrokerThread } from '../src/mqtt/broker-thread.ts';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../src/mqtt/password-hash.ts';
import { mosquittoAvailable, removeDir, startMosquitto } from '../test/mqtt/mosquitto-process.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    nodes: { type: 'string', default: '50' },
    broker: { type: 'string' },
  },
});
const nodes = Number(values.nodes);
const perNode = Math.ceil(Number(values.messages) / nodes);
const total = nodes * perNode;
const SITE = 'bench';

const users = [
  { username: 'controller', password: 'ctl-pw', role: 'controller' as const },
  ...Array.from({ length: nodes }, (_, n) => ({
    username: `node-${n}`,
    password: `pw-${n}`,
    role: 'node' as const,
  })),
];

interface Run {
  broker: string;
  messages: number;
  seconds: number;
  messages_per_s: number;
  rejected: number;
  batches: number;
  largest_batch: number;
  /** 1-minute load average before and after the run: other work on the machine skews figures. */
  load_before: number;
  load_after: number;
  /** CPU milliseconds per 1000 messages spent by each process while measuring. */
  cpu_ms_per_1000: { controller: number; publishers: number; mosquitto?: number };
}

/** utime + stime of another process, in ms (Linux /proc). */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function run(broker: string, url: string, brokerPid?: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'im-bench-'));
  const ctl = await startController({
    site: SITE,
    dbPath: join(dir, 'controller.db'),
    mqttUrl: url,
    mqttPassword: 'ctl-pw',
    scheduler: new RealScheduler(),
    port: 0,
    adminPassword: 'bench',
  });
  const publishers = fork(
    new URL('./controller-ingest-publishers.ts', import.meta.url),
    [url, SITE, String(nodes), String(perNode)],
    { execArgv: ['--import', 'tsx'] },
  );
  // Registered now: the child may exit before the last message is stored.
  const exited = new Promise((resolve) => publishers.once('exit', resolve));
  let publisherCpuMs = 0;
  publishers.on('message', (m: { type: string; cpuMs?: number }) => {
    if (m.type === 'done') publisherCpuMs = m.cpuMs ?? 0;
  });
  await new Promise<void>((resolve) => publishers.once('message', () => resolve()));
  const loadBefore = loadavg()[0]!;
  const cpuBefore = process.cpuUsage();
  const brokerCpuBefore = processCpuMs(brokerPid);
  const start = performance.now();
  const base = ctl.ingest.stats.accepted;
  publishers.send('go');
  const end = await new Promise<number>((resolve) => {
    const check = () => {
      if (ctl.ingest.stats.accepted - base >= total) resolve(performance.now());
      else setTimeout(check, 5);
    };
    check();
  });
  const cpu = process.cpuUsage(cpuBefore);
  const brokerCpuAfter = processCpuMs(brokerPid);
  await exited;
  const perK = (ms: number) => Math.round((ms / total) * 1000 * 10) / 10;
  const seconds = (end - start) / 1000;
  const result = {
    broker,
    messages: total,
    seconds: Math.round(seconds * 1000) / 1000,
    messages_per_s: Math.round(total / seconds),
    rejected: ctl.ingest.stats.rejected,
    batches: ctl.link.stats.batches,
    largest_batch: ctl.link.stats.largestBatch,
    load_before: Math.round(loadBefore * 100) / 100,
    load_after: Math.round(loadavg()[0]! * 100) / 100,
    cpu_ms_per_1000: {
      controller: perK((cpu.user + cpu.system) / 1000),
      publishers: perK(publisherCpuMs),
      ...(brokerCpuBefore !== undefined && brokerCpuAfter !== undefined
        ? { mosquitto: perK(brokerCpuAfter - brokerCpuBefore) }
        : {}),
    },
  };
  await ctl.close();
  removeDir(dir);
  return result;
}

const runs: Run[] = [];
const wanted = (b: string) => values.broker === undefined || values.broker === b;
const credentials = CredentialStore.fromUsers(
  users.map((u) => ({
    username: u.username,
    role: u.role,
    password_hash: hashPassword(u.password),
  })),
);
if (wanted('aedes')) {
  const broker = await startEmbeddedBroker({ credentials, port: 0 });
  runs.push(await run('aedes (embedded, same thread)', broker.url));
  await broker.close();
}
if (wanted('aedes-thread')) {
  const broker = await startBrokerThread({ credentials, port: 0 });
  runs.push(await run('aedes (embedded, own thread)', broker.url));
  await broker.close();
}
if (!wanted('mosquitto')) {
  // Another broker was asked for.
} else if (mosquittoAvailable()) {
  const m = await startMosquitto(users);
  runs.push(await run('mosquitto 2', m.url, m.pid));
  await m.stop();
  removeDir(m.dir);
} else {
  console.error('mosquitto not installed: skipping the Mosquitto run');
}

/** The commit measured (with `+changes` when the tree differs from it), for the results file. */
function commitMeasured(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return (
      git('rev-parse', '--short', 'HEAD') +
      (git('status', '--porcelain', '--', 'src') ? '+changes' : '')
    );
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const report = {
  bench: 'controller-ingest',
  date: new Date().toISOString(),
  commit: commitMeasured(),
  machine: `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
  nodes,
  mix: '20% state, 30% events, 50% metrics; QoS 1; 64 in flight per node',
  target_messages_per_s: 20_000,
  runs,
};
for (const r of runs) {
  console.log(
    `${r.broker.padEnd(30)} ${r.messages} messages in ${r.seconds} s = ${r.messages_per_s} msg/s (rejected ${r.rejected}; ${r.batches} batches, largest ${r.largest_batch}; load ${r.load_before} -> ${r.load_after}; CPU ms per 1000: ${JSON.stringify(r.cpu_ms_per_1000)})`,
  );
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/controller-ingest.json', import.meta.url),
  JSON.stringify(report, null, 2) + '\n',
);
