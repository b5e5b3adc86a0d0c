/**
 * The timeline end to end on the demo, in real time: the real controller and its embedded broker,
 * 12 simulated nodes each logged in as itself. What the controller itself observes must be on
 * `GET /api/events` beside the nodes' decisions: a killed node goes down (and its alert opens),
 * an operator acknowledges the alert, the restored node comes back rebooted (and the alert
 * closes), and a configuration push is followed through requested, applied and confirmed. The
 * filters by node and kind answer exactly what they are asked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, StoredEvent } from '../../src/controller/store/records.ts';
import { defaultRuntimeConfig } from '../../src/demo/node-runtime-config.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-timeline-'));
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

const events = async (query: string) => (await api<StoredEvent[]>(`/api/events?${query}`)).json;
const eventOf = (what: string, query: string, match: (e: StoredEvent) => boolean = () => true) =>
  waitFor(what, async () => (await events(query)).find(match), 20_000);

beforeAll(async () => {
  demo = await startDemo({
    // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
    radioNodes: 0,
    mobileClients: 0,
    port: 0,
    nodes: 12,
    seed: 4,
    dbPath: join(dir, 'demo.db'),
    adminPassword: 'timeline-pw',
    stateEveryMs: 500,
  });
  const login = await fetch(`${demo.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'timeline-pw' }),
  });
  headers = {
    authorization: `Bearer ${((await login.json()) as { token: string }).token}`,
    'content-type': 'application/json',
  };
  await waitFor(
    'every node online',
    async () => {
      const nodes = (await api<{ online: boolean }[]>('/api/nodes')).json;
      return nodes.length === 12 && nodes.every((n) => n.online);
    },
    20_000,
  );
}, 60_000);

afterAll(async () => {
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the timeline of the controller', () => {
  it('shows a killed node down, its alert opened and acknowledged, then the node back, rebooted, and the alert closed', async () => {
    const victim = 'n5';
    const killedAt = Date.now();
    expect((await api('/api/demo/faults', { action: 'kill-node', node: victim })).status).toBe(202);

    const down = await eventOf(`node-down of ${victim}`, `node=${victim}&kind=node-down`);
    expect(down).toMatchObject({
      node: victim,
      kind: 'node-down',
      source: 'controller',
      from: 'online',
      to: 'offline',
    });
    expect(down.at).toBeGreaterThanOrEqual(killedAt);
    expect(down.reason).toMatch(/broker session ended/);

    const opened = await eventOf('the offline alert opened', `node=${victim}&kind=alert-open`);
    expect(opened).toMatchObject({ source: 'controller', subject: `node-offline:${victim}` });
    const alert = (await api<Alert[]>('/api/alerts')).json.find(
      (a) => a.key === `node-offline:${victim}`,
    )!;
    expect(opened.reason).toContain(`#${alert.id}`);
    expect((await api(`/api/alerts/${alert.id}/ack`, {})).status).toBe(200);
    const acked = await eventOf('the ack on the timeline', `node=${victim}&kind=alert-ack`);
    expect(acked).toMatchObject({ to: 'acknowledged', subject: `node-offline:${victim}` });
    expect(acked.reason).toMatch(/acknowledged by admin/);

    expect((await api('/api/demo/faults', { action: 'restore-node', node: victim })).status).toBe(
      202,
    );
    const after = (e: StoredEvent) => e.at >= down.at;
    const up = await eventOf(`node-up of ${victim}`, `node=${victim}&kind=node-up`, after);
    expect(up.reason).toMatch(/back after \d+ s offline/);
    const reboot = await eventOf(
      `node-reboot of ${victim}`,
      `node=${victim}&kind=node-reboot`,
      after,
    );
    expect(reboot.from).not.toBe(reboot.to);
    expect(reboot.reason).toContain(`to ${reboot.to}`);
    const closed = await eventOf('the alert closed', `node=${victim}&kind=alert-close`, after);
    expect(closed).toMatchObject({ from: 'open', to: 'closed' });

    // The node filter keeps only the victim; several kinds at once; a kind family.
    const mine = await events(`node=${victim}&limit=500`);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((e) => e.node))).toEqual(new Set([victim]));
    const presence = await events(`node=${victim}&kind=node-down,node-up&kind=node-reboot`);
    // The first node-up is its first report at the demo's start.
    expect(presence.map((e) => e.kind).reverse()).toEqual([
      'node-up',
      'node-down',
      'node-up',
      'node-reboot',
    ]);
    const alerts = await events(`node=${victim}&kind=alert-*`);
    expect(alerts.map((e) => e.kind).reverse()).toEqual(['alert-open', 'alert-ack', 'alert-close']);
    // Nodes' own decisions stay on the timeline as source 'node'.
    // (Polled: a node's first decision may come after the node events above.)
    const fromNodes = await waitFor(
      'an event from a node',
      async () => {
        const e = await events('source=node&limit=50');
        return e.length > 0 ? e : undefined;
      },
      20_000,
    );
    expect(fromNodes.every((e) => e.source === 'node')).toBe(true);
    // A mistyped kind is refused with what was wrong.
    const bad = await api<{ error: string; issues: string[] }>('/api/events?kind=node%20down');
    expect(bad.status).toBe(400);
    expect(bad.json.issues.join('\n')).toMatch(/kind/);
  }, 60_000);

  it('follows a configuration push: requested, applied, confirmed', async () => {
    const cfg = defaultRuntimeConfig([
      { name: 'wan', kind: 'ethernet', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
      { name: 'lte', kind: 'modem', latencyMs: 0, bandwidthDownKbit: 0, bandwidthUpKbit: 0 },
    ]);
    cfg.policy.members[1]!.weight = 3;
    const pushed = await api<{ id: string }>('/api/config/push', {
      node: 'n0',
      version: 'timeline-1',
      config: cfg,
    });
    expect(pushed.status).toBe(202);
    const confirmed = await eventOf(
      'push-confirmed',
      `node=n0&kind=push-confirmed`,
      (e) => e.subject === pushed.json.id,
    );
    expect(confirmed.reason).toMatch(/^version timeline-1/);
    const lifecycle = (await events('node=n0&kind=push-*&limit=50'))
      .filter((e) => e.subject === pushed.json.id)
      .reverse();
    expect(lifecycle.map((e) => e.kind)).toEqual([
      'push-requested',
      'push-accepted',
      'push-applied',
      'push-confirmed',
    ]);
    expect(lifecycle[0]!.reason).toBe('version timeline-1 requested by admin');
    // Each step names the status it came from.
    for (let i = 1; i < lifecycle.length; i++)
      expect(lifecycle[i]!.from).toBe(lifecycle[i - 1]!.to);
  }, 60_000);
});
