/**
 * PostgreSQL's batched ingest writes (Ingest `pgBatch`): an ingest batch's metric samples go in
 * a few multi-row statements before the commit instead of one round trip each
 * (MetricRepo.recordAll), alert closes that would change nothing are not sent (the open
 * alerts' keys are read once per batch), and the boot rows behind the timeline's reboot check
 * are read once per batch and written once before the commit (BatchedBoots). These tests count the round trips a batch costs on both paths, and fail if the
 * batched path stores, announces or refuses anything other than the unbatched one from the same
 * messages, a failing batched write included. Real PostgreSQL (test/postgres/postgres-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { Ingest, type AlertTransition, type LiveChange } from '../../src/controller/ingest.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import type { PostgresSession } from '../../src/controller/store/postgres-session.ts';
import type { StoredEvent } from '../../src/controller/store/records.ts';
import { ingestMessage } from '../../bench/controller-ingest-mix.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';
import {
  nodeEvent as event,
  nodeMessage as msg,
  type IngestMessage as Message,
} from './ingest-messages.ts';

const T0 = 1_700_000_000_000;

describe.skipIf(postgresUnavailable())('PostgreSQL ingest: batched writes', () => {
  let server: PostgresServer;
  const stores: ControllerStore[] = [];

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    for (const s of stores.splice(0)) await s.close();
    await server?.stop();
  });

  async function open(pgBatch: boolean) {
    const store = await ControllerStore.open(await server.newDatabase());
    stores.push(store);
    const scheduler = new VirtualScheduler(T0);
    const ingest = new Ingest({ store, scheduler, flushMs: 20, pgBatch });
    const changes: LiveChange[] = [];
    const transitions: AlertTransition[] = [];
    ingest.on('change', (c) => changes.push(...c));
    ingest.on('alert', (t) => transitions.push(t));
    // The controller's own timeline events (reboots, alerts), announced once committed.
    const recorded: StoredEvent[] = [];
    store.events.onRecorded((e) => recorded.push(e));
    const queries = () => (store.sql as PostgresSession).queriesSent;
    return { store, scheduler, ingest, changes, transitions, recorded, queries };
  }
  type Side = Awaited<ReturnType<typeof open>>;

  /** The bench's mix (20 % state, 30 % events, 50 % metrics) over 50 nodes. */
  function mixBatch(first: number, size: number, at: number): Message[] {
    const batch: Message[] = [];
    for (let j = first; j < first + size; j++) {
      const [topic, payload] = ingestMessage('lab', `node-${j % 50}`, Math.floor(j / 50), at);
      batch.push({ topic, payload: Buffer.from(payload) });
    }
    return batch;
  }

  /** Metrics with counters (traffic rates), a CPU figure, and a loss with a fractional sum. */
  const metrics = (node: string, at: number, i: number): Message =>
    msg(node, 'metrics', {
      node,
      at,
      wans: {
        wan: { latency_ms: 10.1 + (i % 7), loss: (i % 5) / 10, rx_bytes: i * 125_000, tx_bytes: 9 },
      },
      cpu_percent: (i * 7.3) % 100,
    });

  /**
   * A state of `node` whose modem WAN is `wwan` ('down' opens an alert, 'up' closes it), with an
   * uptime that grows with `at` unless given (a smaller one than the last is a reboot).
   */
  const state = (node: string, at: number, wwan: string, uptime = 100 + (at - T0) / 1000) =>
    msg(node, 'state', {
      node,
      at,
      uptime_s: uptime,
      role: 'mesh',
      wans: [
        { name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 12, loss: 0 },
        { name: 'wwan', kind: 'modem', state: wwan, active: false, latency_ms: 80, loss: 0.3 },
      ],
      gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
      neighbours: [],
    });

  const status = (node: string, at: number, bootId: string): Message =>
    msg(node, 'status', { node, online: true, at, boot_id: bootId });

  /** Every row of every table of the database, as text, in a stable order. */
  async function dump(store: ControllerStore): Promise<Record<string, string[]>> {
    const tables = await store.sql.all<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      const rows = await store.sql.all<object>(`SELECT * FROM "${name}"`);
      out[name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  }

  async function feed(side: Side, batches: Message[][]): Promise<void> {
    for (const b of batches) {
      await side.ingest.acceptBatch(b);
      side.scheduler.advance(1000);
    }
    side.ingest.flush();
  }

  it('cuts the round trips of a 500-message batch of the bench mix', async () => {
    const counted: number[] = [];
    for (const pgBatch of [false, true]) {
      const side = await open(pgBatch);
      // The first batch reads the open alerts and creates the metric partition: not counted.
      await side.ingest.acceptBatch(mixBatch(0, 500, T0));
      const before = side.queries();
      await side.ingest.acceptBatch(mixBatch(500, 500, T0));
      counted.push(side.queries() - before);
      expect(side.ingest.stats.accepted).toBe(1000);
    }
    const [unbatched, batched] = counted as [number, number];
    // Unbatched, 250 metrics messages of 2 samples are 500 round trips; batched, 5 (each node's
    // 5 metrics messages of the batch share a bucket, so its samples take 5 statements). The
    // 100 states' 4 alert closes each find no open alert: 400 round trips unbatched, none
    // batched, for one read of the open alerts' keys. The 100 states' boot check and uptime
    // are 200 round trips unbatched; batched, one read of the 50 nodes' boot rows and one
    // write of them. Unbatched: BEGIN + 100 states x 7 (boot, uptime, node row, 4 closes) +
    // 150 events x 1 + 500 samples + COMMIT = 1,352; batched: BEGIN + open keys + boot rows +
    // 100 node rows + 150 events + 50 boot rows in one + 5 metric statements + COMMIT = 260.
    expect(unbatched).toBe(1352);
    expect(unbatched - batched).toBe(500 - 5 + 400 - 1 + 200 - 2);
    expect(batched).toBe(260);
  }, 60_000);

  it('stores, numbers and announces exactly what the unbatched path does', async () => {
    const slow = await open(false);
    const fast = await open(true);
    const batches: Message[][] = [];
    for (let i = 0; i < 12; i++) {
      const at = T0 + i * 1000;
      const batch = mixBatch(i * 120, 120, at);
      // Several samples of one bucket in one batch, and buckets that move on between batches.
      for (const n of ['n1', 'n2']) batch.push(metrics(n, at, i), metrics(n, at, i + 1));
      if (i === 3) batch.push(event('n1', at, 'config-rollback', { subject: 'v7' }));
      if (i === 5) batch.push(msg('n1', 'metrics', { node: 'n2', at, wans: {} }));
      // n5's modem: down for batches 2-4 (opened once, then already open), up at 5 (closed),
      // and down, up, down again inside batch 8.
      if (i >= 2 && i <= 5) batch.push(state('n5', at, i <= 4 ? 'down' : 'up'));
      if (i === 8) for (const w of ['down', 'up', 'down']) batch.push(state('n5', at, w));
      // Reboots told by uptimes: n6's first state (no row yet: none), its uptime going down
      // (batch 2, first of its batch: the one whose read fetches the batch's rows), and going
      // down twice inside batch 4; n8 new in batch 6 and rebooting in it.
      if (i === 1) batch.push(state('n6', at, 'up', 500));
      if (i === 2) batch.unshift(state('n6', at, 'up', 50));
      if (i === 4) for (const u of [300, 10, 400, 5]) batch.push(state('n6', at, 'up', u));
      if (i === 6) for (const u of [70, 80, 20]) batch.push(state('n8', at, 'up', u));
      // n7 announces boot ids: its uptimes going back are not reboots; a new boot id is one,
      // and a boot id and an uptime in one batch leave both in its row.
      if (i === 3) batch.push(status('n7', at, 'b1'), state('n7', at, 'up', 900));
      if (i === 7) batch.push(state('n7', at, 'up', 30), status('n7', at, 'b2'));
      if (i === 9) batch.push(status('n7', at, 'b2'), state('n7', at, 'up', 40));
      batches.push(batch);
    }
    await feed(slow, batches);
    await feed(fast, batches);

    const rows = await dump(fast.store);
    expect(rows).toEqual(await dump(slow.store));
    expect(fast.changes).toEqual(slow.changes);
    expect(fast.transitions).toEqual(slow.transitions);
    expect(fast.ingest.stats).toEqual(slow.ingest.stats);
    // The comparison covered what it is meant to: summed buckets, alerts, a refusal.
    const summed = await fast.store.sql.all('SELECT count FROM metrics WHERE count > 1');
    expect(summed.length).toBeGreaterThan(0);
    const wanDown = fast.transitions.filter((t) => t.alert.kind === 'wan-down');
    expect(wanDown.map((t) => t.op)).toEqual(['opened', 'closed', 'opened', 'closed', 'opened']);
    expect(rows['rejected_messages']!.length).toBe(1);
    expect(fast.recorded).toEqual(slow.recorded);
    const reboots = fast.recorded.flatMap((e) =>
      e.kind === 'node-reboot' ? [`${e.node} ${e.to}`] : [],
    );
    expect(reboots).toEqual([
      'n6 uptime 50 s',
      'n6 uptime 10 s',
      'n6 uptime 5 s',
      'n8 uptime 20 s',
      'n7 b2',
    ]);
    expect(rows['node_boots']!.map((r) => JSON.parse(r) as object)).toEqual(
      expect.arrayContaining([
        { node: 'n6', boot_id: null, uptime_s: 5, at: T0 + 4000 },
        { node: 'n7', boot_id: 'b2', uptime_s: 40, at: T0 + 9000 },
      ]),
    );
    expect(fast.queries()).toBeLessThan(slow.queries());
  }, 120_000);

  it('a failing batched write rolls the whole batch back and announces nothing of it', async () => {
    const slow = await open(false);
    const fast = await open(true);
    // A CPU sample is refused by the database, and only by the batched write's statement.
    for (const side of [slow, fast])
      await side.store.sql.run(
        "ALTER TABLE metrics ADD CONSTRAINT no_cpu CHECK (series <> 'cpu_percent')",
      );
    const batch = [
      event('n1', T0, 'config-rollback', { subject: 'v7' }),
      msg('n2', 'metrics', { node: 'n2', at: T0, wans: { wan: { latency_ms: 5, loss: 0 } } }),
      metrics('n3', T0, 1),
    ];
    // Seen from the batch's transaction alone: it throws, and nothing of it is committed.
    await expect(
      fast.store.transaction(async (tx) => {
        await tx.metrics.recordAll([
          { node: 'n2', series: 'wan.wan.latency_ms', at: T0, value: 5 },
          { node: 'n3', series: 'cpu_percent', at: T0, value: 7 },
        ]);
      }),
    ).rejects.toThrow(/no_cpu/);
    expect(await fast.store.sql.all('SELECT * FROM metrics')).toEqual([]);

    // Through the ingest: the batch rolls back (the event's alert too), then each message is
    // retried alone: the event and the good metrics stored once, the bad one refused.
    await feed(slow, [batch]);
    await feed(fast, [batch]);
    const rows = await dump(fast.store);
    expect(rows).toEqual(await dump(slow.store));
    expect(fast.changes).toEqual(slow.changes);
    expect(fast.transitions).toEqual(slow.transitions);
    const kinds = rows['events']!.map((r) => (JSON.parse(r) as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'config-rollback').length).toBe(1);
    expect(fast.transitions.filter((t) => t.op === 'opened').length).toBe(1);
    expect(fast.changes.filter((c) => c.type === 'event').length).toBe(
      slow.changes.filter((c) => c.type === 'event').length,
    );
    expect(rows['rejected_messages']!.map((r) => JSON.parse(r) as { error: string })).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/store refused it: .*no_cpu/) }),
    ]);
    expect(fast.ingest.stats).toMatchObject({ accepted: 2, rejected: 1 });
  }, 60_000);
});
