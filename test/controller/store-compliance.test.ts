/**
 * One set of store tests run against both implementations: SQLite (a real file) and PostgreSQL
 * (Debian's server, started by the test on a private port, a fresh database per test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import type { StoredEvent } from '../../src/controller/store/records.ts';
import type { NodeState } from '../../src/mqtt/messages.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';

interface Backend {
  name: string;
  skip: string | undefined;
  start(): Promise<void>;
  /** A fresh, empty store target. */
  target(): Promise<string>;
  stop(): Promise<void>;
}

let pgServer: PostgresServer | undefined;
const dirs: string[] = [];

const backends: Backend[] = [
  {
    name: 'SQLite',
    skip: undefined,
    start: async () => {},
    target: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'im-store-'));
      dirs.push(dir);
      return join(dir, 'c.db');
    },
    stop: async () => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgresUnavailable(),
    start: async () => {
      pgServer = await startPostgres();
    },
    target: () => pgServer!.newDatabase(),
    stop: async () => {
      await pgServer?.stop();
    },
  },
];

const state = (node: string, at: number, uptime = 100): NodeState =>
  ({
    node,
    at,
    uptime_s: uptime,
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [],
  }) as unknown as NodeState;

describe.each(backends)('store on $name', (backend) => {
  describe.skipIf(backend.skip)('compliance', () => {
    let stores: ControllerStore[] = [];
    const open = async (target?: string) => {
      const s = await ControllerStore.open(target ?? (await backend.target()));
      stores.push(s);
      return s;
    };
    beforeAll(() => backend.start(), 60_000);
    afterEach(async () => {
      for (const s of stores) await s.close();
      stores = [];
    });
    afterAll(() => backend.stop());

    it('keeps the newest state and orders presence by arrival', async () => {
      const s = await open();
      await s.nodes.recordStatus('lab', { node: 'n1', online: true, at: 1 } as never, 100);
      await s.nodes.recordState('lab', state('n1', 50), 101);
      await s.nodes.recordState('lab', state('n1', 40), 102); // older: ignored
      await s.nodes.recordStatus('lab', { node: 'n1', online: false, at: 1 } as never, 103);
      const n = await s.nodes.get('n1');
      expect(n).toMatchObject({ node: 'n1', site: 'lab', online: false, first_seen: 100 });
      expect(n?.state?.at).toBe(50);
      expect(n?.last_seen).toBe(103);
      await s.nodes.recordConfig(
        'lab',
        { node: 'n1', version: 'v2', config: { a: 1 }, at: 9 },
        104,
      );
      await s.nodes.recordConfig(
        'lab',
        { node: 'n1', version: 'v1', config: { a: 0 }, at: 8 },
        105,
      );
      expect(await s.nodes.config('n1')).toEqual({ version: 'v2', config: { a: 1 }, at: 9 });
      expect((await s.nodes.list()).map((x) => x.node)).toEqual(['n1']);
    });

    it('opens one alert per key, acknowledges once, closes, with each change on the timeline', async () => {
      const s = await open();
      const announced: StoredEvent[] = [];
      s.events.onRecorded((e) => announced.push(e));
      const a = {
        key: 'k',
        node: 'n1',
        kind: 'x',
        subject: 's',
        severity: 'warning' as const,
        message: 'm',
      };
      const id = await s.alerts.open(a, 10);
      expect(id).toBeTypeOf('number');
      expect(await s.alerts.open(a, 11)).toBeUndefined();
      expect((await s.alerts.acknowledge(id!, 'ops', 12))?.acked_by).toBe('ops');
      await s.alerts.acknowledge(id!, 'ops', 13);
      expect((await s.alerts.close('k', 14))?.closed_at).toBe(14);
      expect(await s.alerts.close('k', 15)).toBeUndefined();
      expect(await s.alerts.listOpen()).toEqual([]);
      expect((await s.alerts.listRecent()).map((x) => x.id)).toEqual([id]);
      expect(announced.map((e) => e.kind)).toEqual(['alert-open', 'alert-ack', 'alert-close']);
      // A new alert on a closed key opens again.
      expect(await s.alerts.open(a, 16)).not.toBe(id);
    });

    it('queries events by node, kind prefix, source and time, newest first, and prunes', async () => {
      const s = await open();
      const ev = (at: number, node: string, kind: string) => ({
        at,
        node,
        kind,
        subject: 's',
        from: null,
        to: null,
        reason: `${kind}@${at}`,
      });
      await s.events.add(ev(1, 'n1', 'push-done'));
      await s.events.add(ev(2, 'n1', 'policy-route'));
      await s.events.add(ev(3, 'n2', 'push_x'));
      await s.events.record(ev(4, 'n1', 'node-up'));
      expect((await s.events.query({ node: 'n1' })).map((e) => e.at)).toEqual([4, 2, 1]);
      expect((await s.events.query({ kinds: ['push-*'] })).map((e) => e.reason)).toEqual([
        'push-done@1',
      ]);
      expect((await s.events.query({ source: 'controller' })).map((e) => e.kind)).toEqual([
        'node-up',
      ]);
      expect((await s.events.query({ since: 2, until: 3 })).length).toBe(2);
      expect(await s.events.prune(3)).toBe(2);
      expect((await s.events.query()).length).toBe(2);
    });

    it('rolls a failed transaction back whole, announcing none of its events', async () => {
      const s = await open();
      const announced: StoredEvent[] = [];
      s.events.onRecorded((e) => announced.push(e));
      await expect(
        s.transaction(async (tx) => {
          await tx.nodes.recordState('lab', state('n1', 1), 1);
          await tx.events.record({
            at: 1,
            node: 'n1',
            kind: 'node-up',
            subject: 'n1',
            from: null,
            to: null,
            reason: 'r',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.nodes.get('n1')).toBeUndefined();
      expect(await s.events.query()).toEqual([]);
      expect(announced).toEqual([]);
      await s.transaction(async (tx) => {
        await tx.events.record({
          at: 2,
          node: 'n1',
          kind: 'node-up',
          subject: 'n1',
          from: null,
          to: null,
          reason: 'r',
        });
        expect(announced).toEqual([]); // not before the commit
      });
      expect(announced.map((e) => e.at)).toEqual([2]);
    });

    it('a savepoint inside a transaction rolls back alone', async () => {
      const s = await open();
      await s.transaction(async (tx) => {
        await tx.meta.set('a', '1');
        await expect(
          tx.transaction(async (inner) => {
            await inner.meta.set('b', '2');
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
      });
      expect(await s.meta.get('a')).toBe('1');
      expect(await s.meta.get('b')).toBeUndefined();
    });

    it('takes concurrent writes from many callers, none lost, none interleaved into a transaction', async () => {
      const s = await open();
      const writers = Array.from({ length: 20 }, (_, w) =>
        s.transaction(async (tx) => {
          for (let i = 0; i < 10; i++) {
            await tx.events.add({
              at: i,
              node: `w${w}`,
              kind: 'k',
              subject: 's',
              from: null,
              to: null,
              reason: `${i}`,
            });
          }
        }),
      );
      const loose = Array.from({ length: 20 }, (_, i) => s.meta.set(`k${i}`, `${i}`));
      const failing = s.transaction(async (tx) => {
        await tx.events.add({
          at: 0,
          node: 'doomed',
          kind: 'k',
          subject: 's',
          from: null,
          to: null,
          reason: 'x',
        });
        await Promise.resolve();
        throw new Error('rolled back');
      });
      await Promise.all([...writers, ...loose, failing.catch(() => undefined)]);
      expect((await s.events.query({ limit: 5000 })).length).toBe(200);
      expect(await s.events.query({ node: 'doomed' })).toEqual([]);
      for (let i = 0; i < 20; i++) expect(await s.meta.get(`k${i}`)).toBe(`${i}`);
      // Metric upserts of one bucket from concurrent callers add up.
      await Promise.all(Array.from({ length: 50 }, () => s.metrics.record('n1', 'x', 1000, 2)));
      expect(await s.metrics.query('n1', 'x', 0, 10_000, 10_000)).toEqual([
        { at: 0, count: 50, avg: 2, min: 2, max: 2 },
      ]);
    });

    it('rolls metrics up into minutes and hours, then drops what is past retention', async () => {
      const s = await open();
      const m = s.metrics;
      const end = 2 * 3_600_000;
      let since = 0;
      for (let t = 0; t < end; t += 5_000) {
        await m.record('n1', 'lat', t, Math.floor(t / 60_000));
        if (t % 420_000 === 0 && t > 0) since = await m.compact(since, t);
      }
      since = await m.compact(since, end);
      const minutes = await m.query('n1', 'lat', 0, end, end + 8 * 3_600_000);
      expect(minutes).toHaveLength(120);
      expect(minutes[7]).toEqual({ at: 420_000, count: 12, avg: 7, min: 7, max: 7 });
      expect(await m.query('n1', 'lat', 0, end, end + 30 * 86_400_000)).toEqual([
        { at: 0, count: 720, avg: 29.5, min: 0, max: 59 },
        { at: 3_600_000, count: 720, avg: 89.5, min: 60, max: 119 },
      ]);
      await m.compact(since, end + 91 * 86_400_000);
      expect(await m.query('n1', 'lat', 0, end, end + 91 * 86_400_000)).toEqual([]);
    });

    it('users, sessions and their end on a role change or removal', async () => {
      const s = await open();
      await s.users.create('ann', 'admin', 'pw-ann-1', 1);
      await s.users.create('bob', 'viewer', 'pw-bob-1', 2);
      expect(await s.users.count()).toBe(2);
      expect(await s.users.verify('ann', 'pw-ann-1')).toEqual({ username: 'ann', role: 'admin' });
      expect(await s.users.verify('ann', 'nope')).toBeUndefined();
      const t = await s.users.openSession('bob', 10, 1000);
      expect(await s.users.session(t, 11)).toMatchObject({ username: 'bob', role: 'viewer' });
      expect(await s.users.session(t, 2000)).toBeUndefined();
      const t2 = await s.users.openSession('bob', 20, 1000);
      expect(await s.users.setRole('bob', 'operator')).toBe(true);
      expect(await s.users.session(t2, 21)).toBeUndefined();
      expect((await s.users.get('bob'))?.role).toBe('operator');
      const t3 = await s.users.openSession('bob', 30, 1000);
      expect(await s.users.remove('bob')).toBe(true);
      expect(await s.users.session(t3, 31)).toBeUndefined();
      expect((await s.users.list()).map((u) => u.username)).toEqual(['ann']);
    });

    it('config pushes, their status changes on the timeline, and those left unanswered', async () => {
      const s = await open();
      await s.pushes.create(
        { id: 'p1', node: 'n1', version: 'v1', requested_by: 'ann', config: { a: 1 } },
        10,
      );
      expect(
        await s.pushes.update('p1', 'rejected', 'bad', 11, [{ path: 'a', message: 'no' }]),
      ).toBe(true);
      expect(await s.pushes.update('nope', 'applied', 'x', 12)).toBe(false);
      expect(await s.pushes.get('p1')).toMatchObject({
        status: 'rejected',
        issues: [{ path: 'a', message: 'no' }],
        config: { a: 1 },
      });
      await s.pushes.create(
        { id: 'p2', node: 'n2', version: 'v1', requested_by: 'ann', config: {} },
        20,
      );
      expect((await s.pushes.unanswered(30)).map((p) => p.id)).toEqual(['p2']);
      expect((await s.pushes.list('n1')).map((p) => p.id)).toEqual(['p1']);
      expect((await s.pushes.list()).map((p) => p.id)).toEqual(['p2', 'p1']);
      expect((await s.events.query({ kinds: ['push-*'] })).length).toBe(3);
    });

    it('Wi-Fi clients and roams, radio nodes, messages and RTT history, rejected messages', async () => {
      const s = await open();
      const c = {
        mac: 'aa:bb:cc:dd:ee:01',
        node: 'n1',
        ssid: 'x',
        vlan: null,
        iface: null,
        signal_dbm: -50,
        since: 1,
        last_seen: 2,
        associated: true,
        method: null,
        roams: 0,
      };
      await s.clients.upsert(c);
      await s.clients.addRoam(c.mac, {
        at: 3,
        from: 'n0',
        to: 'n1',
        method: 'ft',
        gap_ms: 30,
        source: 'node',
      });
      expect(await s.clients.atNode('n1')).toEqual([c]);
      expect((await s.clients.list('ee:0')).map((x) => x.mac)).toEqual([c.mac]);
      expect((await s.clients.history(c.mac))[0]).toMatchObject({
        from: 'n0',
        to: 'n1',
        gap_ms: 30,
      });
      await s.radio.upsertGateway('gw', 'field', 1, true, 10);
      const report = {
        gateway: 'gw',
        network: 'field',
        address: 7,
        at: 10,
        last_heard: 9.5,
        hops: 2,
        rtt_ms: 40.5,
        rtt_at: 9,
        link_quality: 0.8,
        neighbours: [3],
      };
      expect(await s.radio.recordSighting(report as never, 10)).toBe(true);
      expect(await s.radio.recordSighting(report as never, 11)).toBe(false);
      const m = await s.radio.addMessage({
        network: 'field',
        address: 7,
        at: 12,
        direction: 'from-node',
        gateway: 'gw',
        bytes: Buffer.from('hi'),
      });
      expect(m).toMatchObject({ text: 'hi', size: 2 });
      expect((await s.radio.messages({ address: 7 })).map((x) => x.id)).toEqual([m.id]);
      expect(await s.radio.rttHistory('field', 7)).toEqual([
        { at: 9, rtt_ms: 40.5, gateway: 'gw' },
      ]);
      expect((await s.radio.records())[0]?.sightings[0]?.last_heard).toBe(9.5);
      await s.recordRejected(1, 't/x', 'bad');
      expect(await s.rejected()).toEqual([{ at: 1, topic: 't/x', error: 'bad' }]);
    });

    it('lets a transaction under way commit before it closes', async () => {
      const target = await backend.target();
      const a = await open(target);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const tx = a.transaction(async (t) => {
        await gate;
        await t.meta.set('k', 'late');
      });
      const closed = a.close();
      release();
      await tx;
      await closed;
      const b = await open(target);
      expect(await b.meta.get('k')).toBe('late');
    });

    it('reopens an existing store with its data and schema', async () => {
      const target = await backend.target();
      const a = await open(target);
      await a.meta.set('k', 'v');
      await a.close();
      const b = await open(target);
      expect(await b.meta.get('k')).toBe('v');
    });
  });
});

describe.skipIf(postgresUnavailable())('PostgreSQL metric partitions', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('puts samples in time partitions created ahead, and drops whole expired ones', async () => {
    const url = await server.newDatabase();
    const s = await ControllerStore.open(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const partitions = async () =>
      (
        await client.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'metrics'::regclass ORDER BY 1`,
        )
      ).rows
        .map((r) => r.name)
        .sort();
    try {
      const hour = 3_600_000;
      await s.metrics.record('n1', 'x', 10 * hour + 5, 1);
      await s.metrics.record('n1', 'x', 30 * hour + 5, 1);
      // 10 s samples go in hour-wide partitions, one per hour that has samples.
      expect(await partitions()).toEqual(
        [`metrics_10000_${10 * hour}`, `metrics_10000_${30 * hour}`].sort(),
      );
      // 6 h of 10 s retention: the hour-10 partition is dropped whole, the hour-30 one kept.
      await s.metrics.compact(0, 31 * hour);
      const after = await partitions();
      expect(after).not.toContain(`metrics_10000_${10 * hour}`);
      expect(after).toContain(`metrics_10000_${30 * hour}`);
      // The roll-ups went to their own level's partitions.
      expect(after.some((n) => n.startsWith('metrics_60000_'))).toBe(true);
      expect(await s.metrics.query('n1', 'x', 30 * hour, 31 * hour, 31 * hour)).toHaveLength(1);
    } finally {
      await client.end();
      await s.close();
    }
  }, 60_000);

  it('names an unreachable or malformed URL in one line', async () => {
    await expect(ControllerStore.open('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow(
      /^cannot open database postgres:\/\/nobody@127\.0\.0\.1:1\/none: /,
    );
    await expect(ControllerStore.open('postgres://u:secret@/x')).rejects.toThrow(
      /^--db postgres:\/\/u:\*\*\*@\/x /,
    );
    await expect(ControllerStore.open('postgresql://u:secret@h:5432')).rejects.toThrow(
      /^--db postgresql:\/\/u:\*\*\*@h:5432 names no database/,
    );
  });
});
