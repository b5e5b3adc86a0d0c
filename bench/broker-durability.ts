/**
 * What the embedded broker's journal costs: controller ingest throughput (QoS 1 from many nodes,
 * each message validated, committed and acknowledged) with the broker journal off and on, with
 * the broker in the controller's event loop and on its own thread. The journal is written before
 * each PUBACK (one SQLite transaction per event-loop turn of the broker) and cleared as the
 * controller acknowledges; see src/mqtt/durable-inbox.ts.
 *
 *   npx tsx bench/broker-durability.ts [--messages 20000] [--nodes 20]
 *
 * Prints msg/s per run and writes bench/results/broker-durability.json.
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { startController } from '../src/controller/controller.ts';
import { startBrokerThread } from '../src/mqtt/broker-thread.ts';
import { CredentialStore } from '../src/mqtt/credential-store.ts';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../src/mqtt/password-hash.ts';
import { removeDir } from '../test/mqtt/mosquitto-process.ts';
import { BenchReport } from './bench-report.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    nodes: { type: 'string', default: '20' },
  },
});
const nodes = Number(values.nodes);
const perNode = Math.ceil(Number(values.messages) / nodes);
const total = nodes * perNode;
const SITE = 'bench';

const credentials = CredentialStore.fromUsers([
  { username: 'controller', role: 'controller', password_hash: hashPassword('ctl-pw') },
  ...Array.from({ length: nodes }, (_, n) => ({
    username: `node-${n}`,
    role: 'node' as const,
    password_hash: hashPassword(`pw-${n}`),
  })),
]);

async function run(layout: 'in-process' | 'thread', journal: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'im-bench-durability-'));
  const journalPath = journal ? join(dir, 'controller.db.broker-journal') : undefined;
  const broker =
    layout === 'thread'
      ? await startBrokerThread({ credentials, port: 0, journalPath })
      : await startEmbeddedBroker({ credentials, port: 0, journalPath });
  const ctl = await startController({
    site: SITE,
    dbPath: join(dir, 'controller.db'),
    mqttUrl: broker.url,
    mqttPassword: 'ctl-pw',
    scheduler: new RealScheduler(),
    port: 0,
    adminPassword: 'bench',
  });
  const publishers = fork(
    new URL('./controller-ingest-publishers.ts', import.meta.url),
    [broker.url, SITE, String(nodes), String(perNode)],
    { execArgv: ['--import', 'tsx'] },
  );
  const exited = new Promise((resolve) => publishers.once('exit', resolve));
  await new Promise<void>((resolve) => publishers.once('message', () => resolve()));
  const loadBefore = loadavg()[0]!;
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
  await exited;
  await ctl.close();
  await broker.close();
  removeDir(dir);
  const seconds = (end - start) / 1000;
  return {
    messages: total,
    seconds: Math.round(seconds * 1000) / 1000,
    msg_per_s: Math.round(total / seconds),
    load_before: Math.round(loadBefore * 100) / 100,
    load_after: Math.round(loadavg()[0]! * 100) / 100,
  };
}

const report = new BenchReport('broker-durability');
for (const layout of ['in-process', 'thread'] as const) {
  const off = await run(layout, false);
  report.add(`${layout}, no journal`, off);
  const on = await run(layout, true);
  report.add(`${layout}, journal`, {
    ...on,
    relative_to_no_journal: Math.round((on.msg_per_s / off.msg_per_s) * 100) / 100,
  });
}
await report.write();
