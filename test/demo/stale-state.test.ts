/**
 * What the API says about a dead node and a cut WAN, on the whole demo: the real embedded
 * broker, the controller and a simulated mesh whose nodes publish as themselves. A killed gateway
 * keeps its last-known state, marked as such with its age, and its WAN counts as not up; a cut
 * WAN reports no latency and 100% loss, and the metric history records the outage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-stale-'));
let demo: RunningDemo;
let headers: Record<string, string>;

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with the last one seen. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function get<T>(path: string): Promise<T> {
  const r = await fetch(`${demo.url}${path}`, { headers });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function fault(body: object): Promise<void> {
  const r = await fetch(`${demo.url}/api/demo/faults`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(202);
}

interface Wan {
  name: string;
  kind: string;
  state: string;
  status?: string;
  latency_ms?: number | null;
  loss?: number | null;
}
interface NodeView {
  node: string;
  online: boolean;
  state_at: number | null;
  state_age_ms: number | null;
  state_freshness: string | null;
  state: { wans: Wan[]; gateway: { announcing: boolean } } | null;
}
interface Overview {
  nodes_total: number;
  nodes_online: number;
  gateways: number;
  gateways_announcing: number;
  wans_total: number;
  wans_up: number;
  wans_on_offline_nodes: number;
}

beforeAll(async () => {
  // 12 nodes: a 3 x 4 grid, gateways n0 (wan + lte), n3 (wan), n8 (wan), n11 (wan + lte).
  demo = await startDemo({
    // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
    radioNodes: 0,
    mobileClients: 0,
    port: 0,
    nodes: 12,
    dbPath: join(dir, 'demo.db'),
    adminPassword: 'stale-pw',
    stateEveryMs: 500,
    metricsEveryMs: 1_000,
  });
  const login = await fetch(`${demo.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'stale-pw' }),
  });
  headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  await until(async () => {
    const o = await get<Overview>('/api/overview');
    return o.nodes_online === 12 && o.wans_up === 6 && o.gateways_announcing === 4 ? o : undefined;
  }, 'the demo mesh online with its 6 WANs up');
}, 60_000);

afterAll(async () => {
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('staleness in the API', () => {
  it('a live node says its state is live and how old it is', async () => {
    const n = await get<NodeView>('/api/nodes/n3');
    expect(n.online).toBe(true);
    expect(n.state_freshness).toBe('live');
    expect(n.state_age_ms).toBeGreaterThanOrEqual(0);
    expect(n.state_age_ms).toBeLessThan(5_000);
  });

  it('a killed gateway keeps its last-known state, aged, and its WAN no longer counts as up', async () => {
    await fault({ action: 'kill-node', node: 'n3' });
    const dead = await until(async () => {
      const n = await get<NodeView>('/api/nodes/n3');
      return n.online ? undefined : n;
    }, 'n3 offline');
    expect(dead.state_freshness).toBe('last-known');
    // The last state is still there (what it last said), but not presented as live.
    expect(dead.state?.gateway.announcing).toBe(true);
    const firstAge = dead.state_age_ms!;
    expect(firstAge).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 1_200));
    const later = (await get<NodeView[]>('/api/nodes')).find((n) => n.node === 'n3')!;
    expect(later.state_freshness).toBe('last-known');
    expect(later.state_age_ms!).toBeGreaterThanOrEqual(firstAge + 1_000);

    const o = await get<Overview>('/api/overview');
    // A dead node carries no traffic, whatever it last measured.
    expect(later).not.toHaveProperty('wan_traffic');
    expect(o).toMatchObject({
      nodes_total: 12,
      nodes_online: 11,
      gateways: 4,
      gateways_announcing: 3,
      // 5 of 6 WANs up: the dead gateway's WAN is counted, as not up, and said to be on it.
      wans_total: 6,
      wans_up: 5,
      wans_on_offline_nodes: 1,
    });

    await fault({ action: 'restore-node', node: 'n3' });
    const back = await until(async () => {
      const n = await get<NodeView>('/api/nodes/n3');
      return n.online && n.state_freshness === 'live' ? n : undefined;
    }, 'n3 live again');
    expect(back.state_age_ms).toBeLessThan(5_000);
  }, 60_000);
});

describe('a cut WAN in the API', () => {
  it('reports no latency and 100% loss, and the history records the outage', async () => {
    const wanOf = async () =>
      (await get<NodeView>('/api/nodes/n8')).state?.wans.find((w) => w.name === 'wan');
    const before = await until(async () => {
      const w = await wanOf();
      return w?.state === 'up' && w.latency_ms != null ? w : undefined;
    }, 'n8/wan up with a latency');
    expect(before.loss).toBe(0);

    const cutAt = Date.now();
    await fault({ action: 'cut-wan', node: 'n8', wan: 'wan' });
    const cut = await until(async () => {
      const w = await wanOf();
      return w?.state === 'down' ? w : undefined;
    }, 'n8/wan down');
    expect(cut.latency_ms).toBeNull();
    expect(cut.loss).toBe(1);
    expect(cut.status).toBe('offline');
    const downSeenAt = Date.now();

    // The 10 s history buckets that start once the cut was seen: loss 100% throughout, no
    // latency at all (a gap, not the last good value).
    const series = (s: string) =>
      get<{ at: number; min: number; max: number }[]>(
        `/api/nodes/n8/metrics?series=wan.wan.${s}&since=${cutAt - 60_000}`,
      );
    const afterCut = await until(
      async () => {
        const loss = (await series('loss')).filter((p) => p.at >= downSeenAt);
        return loss.length > 0 ? loss : undefined;
      },
      'a loss bucket after the cut',
      25_000,
    );
    for (const p of afterCut) expect(p.min).toBe(1);
    const latency = await series('latency_ms');
    expect(latency.filter((p) => p.at >= afterCut[0]!.at)).toEqual([]);
    expect(latency.some((p) => p.at < cutAt)).toBe(true);

    await fault({ action: 'restore-wan', node: 'n8', wan: 'wan' });
    const restored = await until(async () => {
      const w = await wanOf();
      return w?.state === 'up' ? w : undefined;
    }, 'n8/wan up again');
    expect(restored.latency_ms).toBeGreaterThan(0);
    expect(restored.loss).toBe(0);
  }, 60_000);
});

describe('simulated traffic through the controller', () => {
  it('every gateway WAN and a mesh node’s uplink have traffic history', async () => {
    const since = Date.now() - 3_600_000;
    const rates = (node: string, wan: string) =>
      get<{ avg: number }[]>(`/api/nodes/${node}/metrics?series=wan.${wan}.rx_bps&since=${since}`);
    for (const [node, wan] of [
      ['n0', 'lte'],
      ['n11', 'wan'],
      ['n5', 'mesh'],
    ] as const) {
      const points = await until(async () => {
        const p = await rates(node, wan);
        return p.some((x) => x.avg > 0) ? p : undefined;
      }, `traffic samples of ${node}/${wan}`);
      expect(points.length).toBeGreaterThan(0);
    }
    // The balance now, dated, on the node itself: n0 spreads its flows over wan and lte.
    const n0 = await until(async () => {
      const n = await get<
        NodeView & { wan_traffic?: Record<string, { at: number; rx_bps: number | null }> }
      >('/api/nodes/n0');
      const t = n.wan_traffic;
      return (t?.wan?.rx_bps ?? 0) > 0 && (t?.lte?.rx_bps ?? 0) > 0 ? t! : undefined;
    }, 'n0 carrying traffic on both WANs');
    expect(n0.wan!.rx_bps!).toBeGreaterThan(n0.lte!.rx_bps!);
    expect(n0.wan!.at).toBeGreaterThan(Date.now() - 30_000);
  }, 30_000);
});
