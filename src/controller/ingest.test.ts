import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualScheduler } from '../core/virtual-scheduler.ts';
import type { NodeState } from '../mqtt/messages.ts';
import { nodeTopic } from '../mqtt/topics.ts';
import { Ingest, type LiveChange } from './ingest.ts';
import { ControllerStore } from './store/controller-store.ts';
import { EventRepo } from './store/event-repo.ts';
import { StoreScope } from './store/store-scope.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const dbFile = () => join(mkdtempSync(join(tmpdir(), 'im-ctl-')), 'controller.db');

function state(node: string, at: number, wan2: 'up' | 'down' | 'degraded'): NodeState {
  return {
    node,
    at,
    uptime_s: at / 1000,
    role: 'gateway',
    wans: [
      { name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 12, loss: 0 },
      { name: 'wwan', kind: 'modem', state: wan2, active: false, latency_ms: 80, loss: 0.3 },
    ],
    gateway: {
      announcing: true,
      bandwidth_down_kbit: 100_000,
      bandwidth_up_kbit: 20_000,
      selected: null,
    },
    neighbours: [{ node: 'n2', tq: 230, last_seen_ms: 400 }],
  };
}

function event(node: string, reason: string) {
  return { at: 1001, node, kind: 'test', subject: 's', from: null, to: null, reason };
}

// Both write paths: SQLite's synchronous rows (ingest-sync-rows.ts) and the asynchronous one.
let sqliteSync = true;

async function setup(path = dbFile()) {
  const store = await ControllerStore.open(path, { sqliteSync });
  const scheduler = new VirtualScheduler(1_000_000);
  const ingest = new Ingest({ store, scheduler, flushMs: 20 });
  const changes: LiveChange[] = [];
  ingest.on('change', (c) => changes.push(...c));
  return { store, scheduler, ingest, changes, path };
}

describe.each([
  { path: 'synchronous rows', sync: true },
  { path: 'asynchronous', sync: false },
])('Ingest ($path)', ({ sync }) => {
  beforeEach(() => {
    sqliteSync = sync;
  });
  // Faults are planted on repository prototypes: each test's are removed after it.
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('stores state, events and metrics, acknowledges after the commit, announces in a batch', async () => {
    const { store, scheduler, ingest, changes } = await setup();
    const acked: string[] = [];
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 1000, 'up')), () =>
      acked.push('state'),
    );
    await ingest.accept(
      nodeTopic('lab', 'n1', 'events'),
      enc({
        at: 1001,
        node: 'n1',
        kind: 'wan-state',
        subject: 'wwan',
        from: 'up',
        to: 'down',
        reason: '4 of 5 probes lost',
      }),
      () => acked.push('event'),
    );
    await ingest.accept(
      nodeTopic('lab', 'n1', 'metrics'),
      enc({ node: 'n1', at: 1_000_000, wans: { wan: { latency_ms: 12, loss: 0.01 } } }),
      () => acked.push('metrics'),
    );
    expect(acked).toEqual(['state', 'event', 'metrics']);
    expect(changes).toEqual([]);
    scheduler.advance(20);
    expect(ingest.stats).toEqual({ accepted: 3, rejected: 0, batches: 1 });
    const n1 = (await store.nodes.get('n1'))!;
    expect(n1.online).toBe(true);
    expect(n1.state?.neighbours[0]?.tq).toBe(230);
    expect((await store.events.query({ node: 'n1' }))[0]?.reason).toBe('4 of 5 probes lost');
    expect(await store.metrics.query('n1', 'wan.wan.latency_ms', 0, 2_000_000, 1_000_000)).toEqual([
      { at: 1_000_000, count: 1, avg: 12, min: 12, max: 12 },
    ]);
    expect(changes.map((c) => c.type)).toEqual(['node', 'event']);
  });

  it('with a dedupe hook (several controllers), stores a redelivered message once', async () => {
    const store = await ControllerStore.open(dbFile());
    const scheduler = new VirtualScheduler(1_000_000);
    // The cluster's table of ids, kept in memory here (cluster-pg.test.ts tests the real one).
    const seen = new Set<string>();
    const ingest = new Ingest({
      store,
      scheduler,
      dedupe: (_tx, ids) =>
        Promise.resolve(
          ids.map((id) => {
            const key = id.toString('hex');
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          }),
        ),
    });
    const m = { topic: nodeTopic('lab', 'n1', 'events'), payload: enc(event('n1', 'once')) };
    const other = { topic: nodeTopic('lab', 'n1', 'events'), payload: enc(event('n1', 'twice')) };
    await ingest.acceptBatch([m, m, other]);
    await ingest.acceptBatch([m, other]); // the broker's redelivery, a replayed window
    const reasons = (await store.events.query({ node: 'n1' })).map((e) => e.reason).sort();
    expect(reasons).toEqual(['once', 'twice']);
    expect(ingest.stats.accepted).toBe(2);
    await store.close();
  });

  it('turns WAN byte counters into traffic rate series', async () => {
    const { store, ingest } = await setup();
    const metrics = async (at: number, rx: number, tx: number) =>
      await ingest.accept(
        nodeTopic('lab', 'n1', 'metrics'),
        enc({
          node: 'n1',
          at,
          wans: { wan: { latency_ms: 5, loss: 0, rx_bytes: rx, tx_bytes: tx } },
        }),
      );
    await metrics(1_000_000, 5_000, 1_000);
    await metrics(1_010_000, 130_000, 26_000);
    expect(await store.metrics.query('n1', 'wan.wan.rx_bps', 0, 2_000_000, 1_000_000)).toEqual([
      { at: 1_010_000, count: 1, avg: 100_000, min: 100_000, max: 100_000 },
    ]);
    expect(await store.metrics.query('n1', 'wan.wan.tx_bps', 0, 2_000_000, 1_000_000)).toEqual([
      { at: 1_010_000, count: 1, avg: 20_000, min: 20_000, max: 20_000 },
    ]);
  });

  it('opens and closes alerts as nodes and WANs come and go', async () => {
    const { store, scheduler, ingest, changes } = await setup();
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 1, 'down')));
    await ingest.accept(
      nodeTopic('lab', 'n2', 'status'),
      enc({ node: 'n2', online: false, at: 2 }),
    );
    scheduler.advance(20);
    expect((await store.alerts.listOpen()).map((a) => a.key).sort()).toEqual([
      'node-offline:n2',
      'wan-down:n1:wwan',
    ]);
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 3, 'degraded')));
    await ingest.accept(nodeTopic('lab', 'n2', 'status'), enc({ node: 'n2', online: true, at: 4 }));
    scheduler.advance(20);
    const open = await store.alerts.listOpen();
    expect(open.map((a) => a.key)).toEqual(['wan-degraded:n1:wwan']);
    expect(open[0]!.message).toBe('WAN wwan on n1 is degraded (30% loss, 80 ms)');
    const closed = changes.filter((c) => c.type === 'alert' && c.alert.closed_at !== null);
    expect(closed.map((c) => c.type === 'alert' && c.alert.key).sort()).toEqual([
      'node-offline:n2',
      'wan-down:n1:wwan',
    ]);
  });

  it('refuses malformed payloads and a node reporting as another, and keeps the good state', async () => {
    const { store, scheduler, ingest } = await setup();
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 10, 'up')));
    scheduler.advance(20);
    let acks = 0;
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), Buffer.from('{"node":'), () => acks++);
    await ingest.accept(
      nodeTopic('lab', 'n1', 'state'),
      enc({ ...state('n1', 11, 'up'), uptime_s: -1 }),
      () => acks++,
    );
    await ingest.accept(
      nodeTopic('lab', 'n3', 'state'),
      enc(state('n1', 12, 'down')),
      () => acks++,
    );
    await ingest.accept('intelli-mesh/lab/elsewhere', enc({}), () => acks++);
    scheduler.advance(20);
    expect(acks).toBe(4);
    expect(ingest.stats.rejected).toBe(4);
    const errors = (await store.rejected()).map((r) => r.error);
    expect(errors).toContainEqual(expect.stringMatching(/^not JSON/));
    expect(errors).toContainEqual(expect.stringMatching(/^uptime_s: /));
    expect(errors).toContain("payload names node 'n1' on the topic of 'n3'");
    expect((await store.nodes.get('n1'))!.state!.at).toBe(10);
    expect(await store.nodes.get('n3')).toBeUndefined();
    expect(await store.alerts.listOpen()).toEqual([]);
  });

  it('never lets an older state overwrite a newer one', async () => {
    const { store, scheduler, ingest } = await setup();
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 50, 'down')));
    await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 40, 'up')));
    scheduler.advance(20);
    expect((await store.nodes.get('n1'))!.state!.at).toBe(50);
  });

  it('orders presence by arrival, so a last will stamped at connect time still wins', async () => {
    const { store, scheduler, ingest } = await setup();
    await ingest.accept(
      nodeTopic('lab', 'n1', 'status'),
      enc({ node: 'n1', online: true, at: 55 }),
    );
    scheduler.advance(5);
    await ingest.accept(
      nodeTopic('lab', 'n1', 'status'),
      enc({ node: 'n1', online: false, at: 50 }),
    );
    expect((await store.nodes.get('n1'))!.online).toBe(false);
  });

  it('keeps everything across a restart of the controller', async () => {
    const first = await setup();
    await first.ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', 1, 'down')));
    first.scheduler.advance(20);
    await first.store.close();
    const second = await setup(first.path);
    expect((await second.store.nodes.get('n1'))!.state!.wans[1]!.state).toBe('down');
    expect(await second.store.alerts.listOpen()).toHaveLength(1);
  });

  it('announces a node once per batch however often it reported', async () => {
    const { scheduler, ingest, changes } = await setup();
    for (let i = 0; i < 5; i++) {
      await ingest.accept(nodeTopic('lab', 'n1', 'state'), enc(state('n1', i, 'up')));
    }
    scheduler.advance(20);
    expect(changes).toEqual([{ type: 'node', node: 'n1' }]);
    expect(ingest.stats.batches).toBe(1);
  });
  it('stores a batch, refusals included, in one transaction', async () => {
    const { store, ingest } = await setup();
    const transactions = vi.spyOn(store, 'transaction');
    await ingest.acceptBatch([
      { topic: nodeTopic('lab', 'n1', 'state'), payload: enc(state('n1', 1000, 'up')) },
      { topic: nodeTopic('lab', 'n1', 'events'), payload: Buffer.from('{"at": 1,') },
      { topic: nodeTopic('lab', 'n2', 'events'), payload: enc(event('n2', 'ok')) },
    ]);
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(ingest.stats).toMatchObject({ accepted: 2, rejected: 1 });
    expect((await store.nodes.get('n1'))?.online).toBe(true);
    expect((await store.events.query({ node: 'n2' })).map((e) => e.reason)).toEqual(['ok']);
    expect((await store.rejected())[0]).toMatchObject({ topic: nodeTopic('lab', 'n1', 'events') });
    expect((await store.rejected())[0]?.error).toMatch(/^not JSON: /);
  });

  it('isolates a message the store cannot take: the rest of its batch is stored once', async () => {
    const { store, ingest } = await setup();
    // Every transaction has its own repositories: the fault is planted in all of them, on
    // both paths (`addNow` is the synchronous one).
    const add = EventRepo.prototype.add;
    vi.spyOn(EventRepo.prototype, 'add').mockImplementation(function (this: EventRepo, e, source) {
      if (e.reason === 'poison') throw new Error('SQLITE_TOOBIG: string or blob too big');
      return add.call(this, e, source);
    });
    const addNow = EventRepo.prototype.addNow;
    vi.spyOn(EventRepo.prototype, 'addNow').mockImplementation(function (
      this: EventRepo,
      sql,
      e,
      source,
    ) {
      if (e.reason === 'poison') throw new Error('SQLITE_TOOBIG: string or blob too big');
      return addNow.call(this, sql, e, source);
    });
    await ingest.acceptBatch(
      ['ok-1', 'poison', 'ok-2'].map((reason) => ({
        topic: nodeTopic('lab', 'n1', 'events'),
        payload: enc(event('n1', reason)),
      })),
    );
    expect(ingest.stats).toMatchObject({ accepted: 2, rejected: 1 });
    // ok-1 was written before the failure rolled the batch back, and once more alone.
    expect((await store.events.query({ node: 'n1' })).map((e) => e.reason).sort()).toEqual([
      'ok-1',
      'ok-2',
    ]);
    expect((await store.rejected())[0]).toMatchObject({
      topic: nodeTopic('lab', 'n1', 'events'),
      error: 'store refused it: SQLITE_TOOBIG: string or blob too big',
    });
  });

  it('throws, counting nothing, when the store cannot even record a refusal', async () => {
    const { ingest } = await setup();
    vi.spyOn(EventRepo.prototype, 'add').mockImplementation(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    vi.spyOn(EventRepo.prototype, 'addNow').mockImplementation(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    vi.spyOn(StoreScope.prototype, 'recordRejected').mockImplementation(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    await expect(
      ingest.acceptBatch([
        { topic: nodeTopic('lab', 'n1', 'events'), payload: enc(event('n1', 'a')) },
        { topic: nodeTopic('lab', 'n1', 'events'), payload: enc(event('n1', 'b')) },
      ]),
    ).rejects.toThrow('SQLITE_FULL');
    expect(ingest.stats).toMatchObject({ accepted: 0, rejected: 0 });
  });
});
