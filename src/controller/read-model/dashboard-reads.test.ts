import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededRandom, type Random } from '../../core/random.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import type { NodeState } from '../../mqtt/messages.ts';
import { nodeTopic } from '../../mqtt/topics.ts';
import { ClusterDuties } from '../cluster/cluster-duties.ts';
import { LiveHub } from '../http/live-hub.ts';
import { Ingest } from '../ingest.ts';
import { networkGraph } from '../netjson.ts';
import { nodeView } from '../node-view.ts';
import { siteOverview } from '../site-overview.ts';
import { ControllerStore } from '../store/controller-store.ts';
import { DashboardReads } from './dashboard-reads.ts';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const NODES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'];
const STALE_MS = 5_000;
const INTERVAL_MS = 1_000;

function randomState(rnd: Random, node: string, at: number): NodeState {
  const gateway = rnd.int(3) === 0;
  const wanState = () => (['up', 'down', 'degraded'] as const)[rnd.int(3)]!;
  return {
    node,
    at,
    uptime_s: at / 1000,
    role: gateway ? 'gateway' : 'mesh',
    wans: [
      ...(gateway
        ? [{ name: 'wan', kind: 'ethernet' as const, state: wanState(), active: true }]
        : []),
      { name: 'bat0', kind: 'mesh' as const, state: 'up' as const, active: false },
    ],
    gateway: {
      announcing: gateway && rnd.int(2) === 0,
      bandwidth_down_kbit: 1000,
      bandwidth_up_kbit: 1000,
      selected: null,
    },
    neighbours: NODES.filter((n) => n !== node && rnd.int(3) === 0).map((n) => ({
      node: n,
      tq: 1 + rnd.int(255),
      last_seen_ms: 100,
    })),
  };
}

async function setup(intervalMs = INTERVAL_MS) {
  const store = await ControllerStore.open(':memory:');
  const scheduler = new VirtualScheduler(1_700_000_000_000);
  const ingest = new Ingest({ store, scheduler });
  const live = new LiveHub();
  ingest.on('change', (c) => live.broadcast(c));
  const reads = new DashboardReads({
    store,
    clock: scheduler,
    site: 'lab',
    staleAfterMs: STALE_MS,
    intervalMs,
  });
  live.onChanges((c) => reads.onChanges(c));
  /** Stores one message and announces it, as the controller's ingest does after a commit. */
  const send = async (node: string, channel: 'state' | 'status', message: unknown) => {
    await ingest.accept(nodeTopic('lab', node, channel), enc(message));
    ingest.flush();
  };
  /** The answers computed from scratch, as the routes did before the read model. */
  const fromScratch = async () => {
    const nodes = await store.nodes.list();
    const alerts = await store.alerts.listOpen();
    const now = scheduler.now();
    return {
      overview: {
        ...siteOverview(nodes.map((n) => nodeView(n, now, STALE_MS))),
        alerts_open: alerts.length,
        alerts_critical: alerts.filter((a) => a.severity === 'critical').length,
      },
      topology: JSON.stringify(networkGraph('lab', nodes)),
    };
  };
  return { store, scheduler, ingest, live, reads, send, fromScratch };
}

describe('DashboardReads', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the from-scratch answers after any series of changes, once the interval has passed', async () => {
    for (const seed of [1, 2, 3]) {
      const rnd = seededRandom(seed);
      const { scheduler, reads, send, fromScratch, store } = await setup();
      let rebuilt = 0;
      for (let step = 0; step < 60; step++) {
        for (let k = rnd.int(4); k > 0; k--) {
          const node = NODES[rnd.int(NODES.length)]!;
          const at = scheduler.now();
          if (rnd.int(4) === 0) await send(node, 'status', { node, online: rnd.int(2) === 0, at });
          else await send(node, 'state', randomState(rnd, node, at));
        }
        // Sometimes only time passes: online nodes' states turn stale with no change announced.
        scheduler.advance(INTERVAL_MS + rnd.int(3) * STALE_MS * rnd.next());
        const expected = await fromScratch();
        const overview = await reads.overview();
        const topology = await reads.topology();
        expect(overview.value, `seed ${seed} step ${step}`).toEqual(expected.overview);
        expect(topology.value.body, `seed ${seed} step ${step}`).toBe(expected.topology);
        rebuilt = Math.max(rebuilt, topology.version);
      }
      // The series really exercised changes, stale states and offline nodes.
      expect(rebuilt).toBeGreaterThan(10);
      await store.close();
    }
  });

  it('serves the snapshot within the interval and rebuilds it after a change once the interval passed', async () => {
    const rnd = seededRandom(7);
    const { scheduler, reads, send, store } = await setup();
    await send('n1', 'state', randomState(rnd, 'n1', scheduler.now()));
    const first = await reads.topology();
    expect(first.value.body).toContain('"n1"');

    scheduler.advance(200);
    await send('n2', 'state', randomState(rnd, 'n2', scheduler.now()));
    expect(first.refreshAfterMs).toBeUndefined();
    // Bounded-stale: younger than the interval, the same snapshot, saying when it catches up.
    const held = await reads.topology();
    expect(held.version).toBe(first.version);
    expect(held.refreshAfterMs).toBe(INTERVAL_MS - 200);
    const overview = await reads.overview();
    expect(overview.value.nodes_total).toBe(1);
    expect(overview.refreshAfterMs).toBe(INTERVAL_MS - 200);

    scheduler.advance(INTERVAL_MS - 200);
    const second = await reads.topology();
    expect(second.version).toBe(first.version + 1);
    expect(second.value.body).toContain('"n2"');
    expect(second.value.etag).not.toBe(first.value.etag);
    expect(second.refreshAfterMs).toBeUndefined();
    expect((await reads.overview()).value.nodes_total).toBe(2);

    // No change: not rebuilt however long it is asked (up to the safety net).
    const list = vi.spyOn(store.nodes, 'list');
    scheduler.advance(5 * INTERVAL_MS);
    expect((await reads.topology()).version).toBe(second.version);
    expect(list).not.toHaveBeenCalled();

    // A write nobody announced is picked up at the latest after maxAgeMs (10 × interval).
    await store.nodes.recordStatus('lab', { node: 'n1', online: false, at: 1 }, scheduler.now());
    scheduler.advance(5 * INTERVAL_MS);
    const third = await reads.topology();
    expect(third.version).toBe(second.version + 1);
    expect(JSON.parse(third.value.body).nodes[0].properties.online).toBe(false);
    await store.close();
  });

  it('marks every answer that misses an announced change, and catches up when it says', async () => {
    for (const seed of [21, 22, 23]) {
      const rnd = seededRandom(seed);
      const { scheduler, reads, send, fromScratch, store } = await setup();
      let hinted = 0;
      for (let step = 0; step < 200; step++) {
        if (rnd.int(3) === 0) {
          const node = NODES[rnd.int(NODES.length)]!;
          const at = scheduler.now();
          if (rnd.int(4) === 0) await send(node, 'status', { node, online: rnd.int(2) === 0, at });
          else await send(node, 'state', randomState(rnd, node, at));
        }
        scheduler.advance(rnd.int(400));
        // The topology does not age with time: unmarked, it is the from-scratch answer.
        const topology = await reads.topology();
        if (topology.refreshAfterMs === undefined) {
          expect(topology.value.body, `seed ${seed} step ${step}`).toBe(
            (await fromScratch()).topology,
          );
          continue;
        }
        hinted++;
        expect(topology.refreshAfterMs).toBeGreaterThan(0);
        expect(topology.refreshAfterMs).toBeLessThanOrEqual(INTERVAL_MS);
        // What a dashboard does: ask again when told, with nothing announced in between.
        scheduler.advance(topology.refreshAfterMs);
        const caughtUp = await reads.topology();
        expect(caughtUp.refreshAfterMs, `seed ${seed} step ${step}`).toBeUndefined();
        expect(caughtUp.value.body, `seed ${seed} step ${step}`).toBe(
          (await fromScratch()).topology,
        );
      }
      expect(hinted).toBeGreaterThan(10);
      await store.close();
    }
  });

  it('counts a node down within the interval, and a live state as stale once it ages, unannounced', async () => {
    const rnd = seededRandom(9);
    const { scheduler, reads, send, store } = await setup();
    await send('n1', 'state', randomState(rnd, 'n1', scheduler.now()));
    expect((await reads.overview()).value).toMatchObject({ nodes_online: 1, nodes_stale: 0 });
    // Nothing reports: the state turns stale at the limit, and the overview says so then.
    scheduler.advance(STALE_MS + 1);
    expect((await reads.overview()).value).toMatchObject({ nodes_online: 1, nodes_stale: 1 });
    await send('n1', 'status', { node: 'n1', online: false, at: scheduler.now() });
    scheduler.advance(INTERVAL_MS);
    expect((await reads.overview()).value).toMatchObject({ nodes_online: 0, nodes_stale: 0 });
    await store.close();
  });

  it('shares one rebuild between concurrent requests and one node read between both pages', async () => {
    const rnd = seededRandom(11);
    const { scheduler, reads, send, store } = await setup();
    for (const n of NODES) await send(n, 'state', randomState(rnd, n, scheduler.now()));
    const list = vi.spyOn(store.nodes, 'list');
    const alerts = vi.spyOn(store.alerts, 'listOpen');
    await Promise.all([reads.topology(), reads.topology(), reads.overview(), reads.overview()]);
    expect(list).toHaveBeenCalledTimes(1);
    expect(alerts).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('rebuilds on every request with interval 0 (the default: uncached)', async () => {
    const rnd = seededRandom(13);
    const { scheduler, reads, send, store } = await setup(0);
    await send('n1', 'state', randomState(rnd, 'n1', scheduler.now()));
    const list = vi.spyOn(store.nodes, 'list');
    await reads.topology();
    await reads.topology();
    expect(list).toHaveBeenCalledTimes(2);
    await store.close();
  });

  it("sees another controller process's writes through the cluster's live feed", async () => {
    // Two processes on one database: A ingests; what A commits reaches B as a remote notice
    // (PostgreSQL NOTIFY in production, handed over directly here), which B shows to its hub.
    const rnd = seededRandom(17);
    const { store, scheduler, ingest } = await setup();
    const hubB = new LiveHub();
    const readsB = new DashboardReads({ store, clock: scheduler, site: 'lab', intervalMs: 1000 });
    hubB.onChanges((c) => readsB.onChanges(c));
    const dutiesB = new ClusterDuties({
      cluster: { isLeader: false, publish: async () => {} },
      broadcast: (c) => hubB.broadcast(c),
      onLocalChanges: () => {},
      onAnyChanges: () => {},
    });
    const dutiesA = new ClusterDuties({
      cluster: {
        isLeader: true,
        publish: async (changes) => dutiesB.remote({ changes: [...changes], alerts: [] }),
      },
      broadcast: () => {},
      onLocalChanges: () => {},
      onAnyChanges: () => {},
    });
    ingest.removeAllListeners('change');
    ingest.on('change', (c) => dutiesA.committed(c));
    const sendA = async (node: string, channel: 'state' | 'status', message: unknown) => {
      await ingest.accept(nodeTopic('lab', node, channel), enc(message));
      ingest.flush();
    };

    await sendA('n1', 'state', randomState(rnd, 'n1', scheduler.now()));
    expect((await readsB.overview()).value.nodes_online).toBe(1);
    await sendA('n1', 'status', { node: 'n1', online: false, at: scheduler.now() });
    scheduler.advance(INTERVAL_MS);
    expect((await readsB.overview()).value.nodes_online).toBe(0);
    expect(JSON.parse((await readsB.topology()).value.body).nodes[0].properties.online).toBe(false);
    await store.close();
  });
});
