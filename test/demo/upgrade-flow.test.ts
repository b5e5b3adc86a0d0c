/**
 * Upgrade campaigns end to end on the demo, in real time: the real controller and its embedded
 * broker, 24 simulated nodes each logged in as itself with the real agent's UpgradeService, the
 * HTTP API as an operator uses it. Upgrade steps are shortened (download about 2 s, test 0.5 s,
 * shutdown 1 s, flash 1 s, boot 1.5 s) so a wave takes seconds. Three campaigns in turn:
 * 1. a good image on 9 nodes in waves of 4, with one node of wave 1 killed mid-download: it never
 *    comes back, the campaign stops at wave 1 after its timeout, wave 2 is never touched;
 * 2. the same image on every online node: canary, then two waves, all back on the new version;
 * 3. an image that bricks: the canary never comes back, the campaign stops with it, and no other
 *    node is touched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  NodeRecord,
  StoredEvent,
  UpgradeCampaignDetail,
} from '../../src/controller/store/records.ts';
import { DEMO_FIRMWARE, DEMO_IMAGES } from '../../src/demo/demo-images.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const [GOOD, BRICKS] = DEMO_IMAGES as [(typeof DEMO_IMAGES)[0], (typeof DEMO_IMAGES)[0]];
const dir = mkdtempSync(join(tmpdir(), 'im-upgrade-flow-'));
let demo: RunningDemo;
let headers: Record<string, string>;

async function api<T>(path: string, body?: object): Promise<{ status: number; json: T }> {
  const r = await fetch(`${demo.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, json: (await r.json()) as T };
}

const campaign = async (id: string) =>
  (await api<UpgradeCampaignDetail>(`/api/upgrades/${id}`)).json;
const ended = (id: string, timeoutMs = 60_000) =>
  waitFor(
    `campaign ${id} to end`,
    async () => {
      const c = await campaign(id);
      return c.status !== 'running' && c.counts.upgrading === 0 ? c : undefined;
    },
    timeoutMs,
  );
const firmware = async () =>
  new Map(
    (await api<NodeRecord[]>('/api/nodes')).json.map((n) => [n.node, n.state?.firmware_version]),
  );

describe('upgrade campaigns on the demo (real broker, controller and agents)', () => {
  beforeAll(async () => {
    demo = await startDemo({
      // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
      radioNodes: 0,
      mobileClients: 0,
      port: 0,
      dbPath: join(dir, 'demo.db'),
      adminPassword: 'flow-pw',
      upgradeTiming: {
        downloadKbit: 40_000,
        testMs: 500,
        shutdownMs: 1_000,
        flashMs: 1_000,
        bootMs: 1_500,
      },
    });
    const login = await fetch(`${demo.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'flow-pw' }),
    });
    headers = {
      authorization: `Bearer ${((await login.json()) as { token: string }).token}`,
      'content-type': 'application/json',
    };
    await waitFor(
      '24 nodes online reporting their firmware',
      async () => {
        const f = await firmware();
        return [...f.values()].filter((v) => v === DEMO_FIRMWARE).length === 24;
      },
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the example images', async () => {
    const images = await api<typeof DEMO_IMAGES>('/api/demo/images');
    expect(images.json.map((i) => i.outcome)).toEqual(['boots', 'bricks', 'fails-test']);
  });

  it('stops at the wave where a node does not come back; the next wave is untouched', async () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n6', 'n7', 'n8', 'n9', 'n10'];
    const start = await api<UpgradeCampaignDetail>('/api/upgrades', {
      image_url: GOOD.url,
      sha256: GOOD.sha256,
      version: GOOD.version,
      nodes,
      canary: 1,
      wave_size: 4,
      node_timeout_s: 15,
    });
    expect(start.status).toBe(201);
    const id = start.json.id;
    // Wave 1 (n2, n3, n4, n6) starts once the canary is back; n3 dies while it downloads.
    await waitFor(
      'n3 downloading',
      async () => (await campaign(id)).nodes.find((n) => n.node === 'n3')!.step === 'downloading',
      30_000,
    );
    expect((await api('/api/demo/faults', { action: 'kill-node', node: 'n3' })).status).toBe(202);
    const c = await ended(id);
    expect(c.status).toBe('stopped');
    expect(c.reason).toBe(
      `n3 failed: did not come back running ${GOOD.version} within 15 s (last step: downloading) (1 failure(s), 0 tolerated); 4 node(s) left untouched`,
    );
    expect(c.nodes.map((n) => `${n.node} w${n.wave} ${n.state}`)).toEqual([
      'n1 w0 done',
      'n2 w1 done',
      'n3 w1 failed',
      'n4 w1 done',
      'n6 w1 done',
      'n7 w2 skipped',
      'n8 w2 skipped',
      'n9 w2 skipped',
      'n10 w2 skipped',
    ]);
    const f = await firmware();
    for (const n of ['n1', 'n2', 'n4', 'n6']) expect(f.get(n), n).toBe(GOOD.version);
    for (const n of ['n7', 'n8', 'n9', 'n10']) expect(f.get(n), n).toBe(DEMO_FIRMWARE);
    for (const n of c.nodes.filter((x) => x.state === 'skipped')) expect(n.started_at).toBeNull();
    // The operator restores n3: it comes back on its old firmware.
    expect((await api('/api/demo/faults', { action: 'restore-node', node: 'n3' })).status).toBe(
      202,
    );
    await waitFor(
      'n3 back online',
      async () => (await api<NodeRecord>('/api/nodes/n3')).json.online,
      30_000,
    );
  }, 90_000);

  it('upgrades every online node: the canary first, then wave by wave', async () => {
    const start = await api<UpgradeCampaignDetail>('/api/upgrades', {
      image_url: GOOD.url,
      sha256: GOOD.sha256,
      version: GOOD.version,
      wave_size: 12,
      node_timeout_s: 30,
    });
    expect(start.status).toBe(201);
    const c = await ended(start.json.id, 90_000);
    expect(c).toMatchObject({ status: 'done', waves: 3, counts: { done: 24, failed: 0 } });
    expect(c.reason).toBe(`24 of 24 node(s) run ${GOOD.version}`);
    // The canary's wave ended before wave 1 started, and wave 1's before wave 2's.
    const wave = (w: number) => c.nodes.filter((n) => n.wave === w);
    const upgraded = (w: number) => wave(w).filter((n) => n.started_at !== null);
    const lastDone = (w: number) => Math.max(...upgraded(w).map((n) => n.updated_at));
    const firstStart = (w: number) => Math.min(...upgraded(w).map((n) => n.started_at!));
    expect(wave(0).map((n) => n.node)).toEqual(['n0']);
    expect(firstStart(1)).toBeGreaterThanOrEqual(lastDone(0));
    expect(firstStart(2)).toBeGreaterThanOrEqual(lastDone(1));
    // The four nodes upgraded by the first campaign were not sent the image again.
    for (const n of ['n1', 'n2', 'n4', 'n6'])
      expect(c.nodes.find((x) => x.node === n)!.reason).toBe(`already running ${GOOD.version}`);
    const f = await firmware();
    expect([...f.values()].every((v) => v === GOOD.version)).toBe(true);
    // Only the upgrade kinds: the reboots also put presence and alerts on the timeline.
    const events = (await api<StoredEvent[]>('/api/events?limit=200&kind=upgrade,upgrade-campaign'))
      .json;
    expect(events).toContainEqual(
      expect.objectContaining({ node: 'n0', kind: 'upgrade', to: GOOD.version }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ node: 'controller', kind: 'upgrade-campaign', subject: c.id }),
    );
  }, 120_000);

  it('stops with a canary that never boots again; no other node is touched', async () => {
    const start = await api<UpgradeCampaignDetail>('/api/upgrades', {
      image_url: BRICKS.url,
      sha256: BRICKS.sha256,
      version: BRICKS.version,
      node_timeout_s: 12,
    });
    expect(start.status).toBe(201);
    const c = await ended(start.json.id);
    expect(c.status).toBe('stopped');
    expect(c.reason).toBe(
      `canary n0 failed: did not come back running ${BRICKS.version} within 12 s (last step: rebooting); 23 node(s) left untouched`,
    );
    expect(c.counts).toMatchObject({ failed: 1, skipped: 23, done: 0 });
    const nodes = (await api<NodeRecord[]>('/api/nodes')).json;
    expect(nodes.find((n) => n.node === 'n0')!.online).toBe(false);
    for (const n of nodes.filter((x) => x.node !== 'n0')) {
      expect(n.online, n.node).toBe(true);
      expect(n.state?.firmware_version, n.node).toBe(GOOD.version);
    }
  }, 60_000);
});
