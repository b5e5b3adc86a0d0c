/**
 * SQLite's fast ingest path (src/controller/ingest-sync-rows.ts): most rows are written through
 * the transaction's synchronous statements. These tests fail if the fast path is silently not
 * taken, and if it stores anything other than what the asynchronous path (PostgreSQL's, or
 * SQLite's with `sqliteSync: false`) stores from the same messages: every row of every table,
 * their ids, the live changes and the alert transitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { Ingest, type AlertTransition, type LiveChange } from '../../src/controller/ingest.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import type { SqliteSession } from '../../src/controller/store/sqlite-session.ts';
import type { NodeState } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import {
  nodeEvent as event,
  nodeMessage as msg,
  type IngestMessage as Message,
} from './ingest-messages.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(sqliteSync: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'im-sync-rows-'));
  dirs.push(dir);
  const store = await ControllerStore.open(join(dir, 'controller.db'), { sqliteSync });
  const scheduler = new VirtualScheduler(1_700_000_000_000);
  const ingest = new Ingest({ store, scheduler, flushMs: 20 });
  const changes: LiveChange[] = [];
  const transitions: AlertTransition[] = [];
  ingest.on('change', (c) => changes.push(...c));
  ingest.on('alert', (t) => transitions.push(t));
  const counts = () => ({ ...(store.sql as SqliteSession).statementsRun });
  return { store, scheduler, ingest, changes, transitions, counts };
}

function state(node: string, at: number, uptime: number, over: Partial<NodeState> = {}): Message {
  const s: NodeState = {
    node,
    at,
    uptime_s: uptime,
    role: 'gateway',
    wans: [{ name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 12, loss: 0 }],
    gateway: {
      announcing: true,
      bandwidth_down_kbit: 1000,
      bandwidth_up_kbit: 100,
      selected: null,
    },
    neighbours: [{ node: 'n9', tq: 220, last_seen_ms: 300 }],
    ...over,
  };
  return msg(node, 'state', s);
}

const metrics = (node: string, at: number, i: number): Message =>
  msg(node, 'metrics', {
    node,
    at,
    wans: { wan: { latency_ms: 10 + (i % 7), loss: 0, rx_bytes: i * 125_000, tx_bytes: i * 1000 } },
    cpu_percent: i % 100,
  });

/**
 * Forty seconds of four nodes: presence, reboots, a WAN going down and degraded, a withdrawn
 * gateway, gateway flapping, a configuration rollback, a client (a station list and its events:
 * the asynchronous path inside the same batches), traffic counters, and refused messages.
 */
function scenario(start: number): Message[][] {
  const steps: Message[][] = [];
  for (let i = 0; i < 40; i++) {
    const at = start + i * 1000;
    const batch: Message[] = [];
    if (i === 0)
      for (const n of ['n1', 'n2', 'n3'])
        batch.push(msg(n, 'status', { node: n, online: true, at }));
    if (i === 0) batch.push(msg('n4', 'status', { node: 'n4', online: true, at, boot_id: 'b1' }));
    if (i === 10) batch.push(msg('n2', 'status', { node: 'n2', online: false, at }));
    if (i === 12) batch.push(msg('n2', 'status', { node: 'n2', online: true, at }));
    // n1: its modem WAN goes down, then degraded, then up; it reboots at step 15.
    const wwan = i >= 5 && i < 9 ? 'down' : i === 9 ? 'degraded' : 'up';
    batch.push(
      state('n1', at, i < 15 ? 100 + i : i - 15, {
        wans: [
          { name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 12, loss: 0 },
          { name: 'wwan', kind: 'modem', state: wwan, active: false, latency_ms: 80, loss: 0.3 },
        ],
      }),
    );
    batch.push(state('n2', at, 50 + i));
    // n3 stops announcing itself as a gateway for three steps.
    batch.push(
      state('n3', at, 70 + i, {
        gateway: {
          announcing: i < 20 || i > 22,
          bandwidth_down_kbit: 1000,
          bandwidth_up_kbit: 100,
          selected: null,
        },
      }),
    );
    // n4 lists its Wi-Fi stations: the client tracker acts on it (asynchronous path).
    if (i % 5 === 0)
      batch.push(
        state('n4', at, 10 + i, {
          stations: [
            {
              mac: 'aa:bb:cc:00:00:01',
              ssid: 'mesh',
              signal_dbm: -50 - (i % 9),
              since: new Date(start).toISOString(),
            },
          ],
        }),
      );
    if (i === 30)
      batch.push(
        event('n1', at, 'client-associated', {
          subject: 'aa:bb:cc:00:00:02',
          mac: 'aa:bb:cc:00:00:02',
          ssid: 'mesh',
        }),
      );
    // n3 moves between two gateways: more than 3 changes in 5 minutes is flapping.
    if (i >= 3 && i < 11)
      batch.push(
        event('n3', at, 'gateway-select', { from: i % 2 ? 'g1' : 'g2', to: i % 2 ? 'g2' : 'g1' }),
      );
    if (i === 7) batch.push(event('n2', at, 'config-rollback', { subject: 'v7' }));
    batch.push(event('n2', at, 'route-change', { subject: 'n9', from: 'n1', to: 'n3' }));
    for (const n of ['n1', 'n2', 'n3', 'n4']) batch.push(metrics(n, at, i));
    if (i === 4)
      batch.push({ topic: nodeTopic('lab', 'n1', 'events'), payload: Buffer.from('{"at": 1,') });
    if (i === 6) batch.push(event('n2', at, 'route-change', { node: 'n1' }));
    steps.push(batch);
  }
  return steps;
}

/** Every row of every table, as text, in a stable order. */
function dump(store: ControllerStore): Record<string, string[]> {
  const db = (store.sql as SqliteSession).db;
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .all();
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    out[name] = db
      .prepare(`SELECT * FROM "${name}"`)
      .all()
      .map((r) => JSON.stringify(r))
      .sort();
  }
  return out;
}

async function feed(side: Awaited<ReturnType<typeof open>>, batches: Message[][]): Promise<void> {
  for (const b of batches) {
    await side.ingest.acceptBatch(b);
    side.scheduler.advance(1000);
  }
}

describe('SQLite ingest fast path', () => {
  it('writes metrics, states without stations and node events with no statement on the promise path', async () => {
    const side = await open(true);
    const t = side.scheduler.now();
    // The first batch reads the open alerts (once, through the promise path).
    await side.ingest.acceptBatch([metrics('n1', t, 1)]);
    const before = side.counts();
    await side.ingest.acceptBatch([
      metrics('n1', t, 2),
      metrics('n2', t, 3),
      state('n1', t, 5),
      state('n2', t, 6),
      event('n1', t, 'route-change'),
      event('n2', t, 'gateway-select', { from: 'g1', to: 'g2' }),
    ]);
    const after = side.counts();
    expect(side.ingest.stats.accepted).toBe(7);
    expect(after.async - before.async).toBe(0);
    // At least a row each: 2 metrics messages of 3 samples (latency, loss, cpu), 2 states
    // (boot, node, alert closes), 2 events.
    expect(after.sync - before.sync).toBeGreaterThanOrEqual(6 + 2 * 3 + 2);
    expect((await side.store.events.query({ kinds: ['route-change'] })).length).toBe(1);
    await side.store.close();
  });

  it('is not offered when switched off: every statement takes the promise path', async () => {
    const side = await open(false);
    const t = side.scheduler.now();
    await side.ingest.acceptBatch([metrics('n1', t, 1), state('n1', t, 5), event('n1', t, 'x')]);
    expect(side.counts().sync).toBe(0);
    expect(side.counts().async).toBeGreaterThan(0);
    await side.store.close();
  });

  it('stores exactly what the asynchronous path stores from the same messages', async () => {
    const fast = await open(true);
    const slow = await open(false);
    const batches = scenario(fast.scheduler.now());
    await feed(fast, batches);
    await feed(slow, batches);
    fast.ingest.flush();
    slow.ingest.flush();

    const rows = dump(fast.store);
    expect(rows).toEqual(dump(slow.store));
    expect(fast.changes).toEqual(slow.changes);
    expect(fast.transitions).toEqual(slow.transitions);
    expect(fast.ingest.stats).toEqual(slow.ingest.stats);
    // The scenario reached what it is meant to compare.
    const kinds = (table: string, field: string) =>
      new Set(rows[table]!.map((r) => (JSON.parse(r) as Record<string, unknown>)[field]));
    expect([...kinds('alerts', 'kind')]).toEqual(
      expect.arrayContaining([
        'wan-down',
        'wan-degraded',
        'gateway-withdrawn',
        'gateway-flapping',
        'config-rollback',
        'node-offline',
      ]),
    );
    expect([...kinds('events', 'kind')]).toEqual(
      expect.arrayContaining([
        'node-reboot',
        'alert-open',
        'alert-close',
        'node-down',
        'route-change',
      ]),
    );
    expect(rows['clients']!.length).toBeGreaterThan(0);
    expect(rows['rejected_messages']!.length).toBe(2);
    expect(fast.transitions.some((t) => t.op === 'closed')).toBe(true);
    // Both paths ran on the fast side (stations and presence are awaited), one on the other.
    expect(fast.counts().sync).toBeGreaterThan(fast.counts().async);
    expect(slow.counts().sync).toBe(0);
    await fast.store.close();
    await slow.store.close();
  });
});
