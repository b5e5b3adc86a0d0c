/**
 * The controller's ingest path without MQTT: the same message mix as bench/controller-ingest.ts
 * (controller-ingest-mix.ts), decoded, validated and committed by `Ingest.acceptBatch` into a
 * SQLite file, batch after batch, in this process. It isolates what the store costs per message
 * (the MQTT bench's controller figure also holds the client's packet parsing), so a change to the
 * store's write path shows in a few seconds and profiles cleanly (`node --cpu-prof --import tsx`).
 *
 *   npx tsx bench/controller-ingest-store.ts [--messages 100000] [--nodes 50] [--batch 500] [--db path]
 *   npx tsx bench/controller-ingest-store.ts --db postgres [--pg-batch false]
 *
 * `--db postgres` starts a private PostgreSQL server (test/postgres/postgres-server.ts: its own
 * data directory and port, fsync off) and stores into a fresh database of it; `--pg-batch false`
 * sends every statement as it comes (Ingest `pgBatch`), to compare. A `postgres://` URL uses
 * that server instead.
 *
 * Prints one JSON line: CPU ms per 1,000 messages (this process: the ingest and the `pg` client,
 * not the server), messages per second, and the statements the session ran: on SQLite which
 * write path they took (`statementsRun`), on PostgreSQL the queries sent, each a round trip
 * (`queriesSent`, BEGIN and COMMIT included).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RealScheduler } from '../src/core/real-scheduler.ts';
import { Ingest } from '../src/controller/ingest.ts';
import { ControllerStore } from '../src/controller/store/controller-store.ts';
import { ingestMessage } from './controller-ingest-mix.ts';
import { startPostgres } from '../test/postgres/postgres-server.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    nodes: { type: 'string', default: '50' },
    batch: { type: 'string', default: '500' },
    db: { type: 'string' },
    'pg-batch': { type: 'string', default: 'true' },
  },
});
const nodes = Number(values.nodes);
const batchSize = Number(values.batch);
const total = Number(values.messages);
const SITE = 'bench';

const dir = mkdtempSync(join(tmpdir(), 'im-bench-store-'));
const server = values.db === 'postgres' ? await startPostgres() : undefined;
const target = server ? await server.newDatabase() : (values.db ?? join(dir, 'controller.db'));
const store = await ControllerStore.open(target);
const pgBatch = values['pg-batch'] !== 'false';
const ingest = new Ingest({ store, scheduler: new RealScheduler(), pgBatch });

// Built before the clock starts: the bench measures the controller, not the publishers.
const at = Date.now();
const batches: { topic: string; payload: Uint8Array }[][] = [];
for (let k = 0; k < total; k += batchSize) {
  const batch = [];
  for (let j = k; j < Math.min(total, k + batchSize); j++) {
    const [topic, payload] = ingestMessage(SITE, `node-${j % nodes}`, Math.floor(j / nodes), at);
    batch.push({ topic, payload: Buffer.from(payload) });
  }
  batches.push(batch);
}

const sql = store.sql as { statementsRun?: unknown; queriesSent?: number };
// Counted from here: opening the store (its migrations) is not the ingest's.
const queriesBefore = sql.queriesSent ?? 0;
const loadBefore = loadavg()[0]!;
const cpuBefore = process.cpuUsage();
const start = performance.now();
for (const batch of batches) await ingest.acceptBatch(batch);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuBefore);
ingest.flush();

const queries = sql.queriesSent === undefined ? undefined : sql.queriesSent - queriesBefore;
const result = {
  bench: 'controller-ingest-store',
  store: store.dialect,
  ...(store.dialect === 'postgres' ? { pg_batch: pgBatch } : {}),
  messages: total,
  batch: batchSize,
  accepted: ingest.stats.accepted,
  rejected: ingest.stats.rejected,
  seconds: Math.round(seconds * 1000) / 1000,
  messages_per_s: Math.round(total / seconds),
  cpu_ms_per_1000: Math.round(((cpu.user + cpu.system) / 1000 / total) * 1000 * 100) / 100,
  statements_run: sql.statementsRun ?? queries ?? 'not counted',
  ...(queries !== undefined
    ? { round_trips_per_1000: Math.round((queries / total) * 1000 * 10) / 10 }
    : {}),
  load_before: Math.round(loadBefore * 100) / 100,
  load_after: Math.round(loadavg()[0]! * 100) / 100,
};
await store.close();
await server?.stop();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
if (result.accepted !== total) {
  console.error(`only ${result.accepted} of ${total} messages were accepted`);
  process.exitCode = 1;
}
