/**
 * The demo's clients move (issue 13, item 5): on the simulator's virtual clock, the demo's nodes
 * report their stations and client events into the controller (real SQLite, the real API), and
 * within two minutes a station has roamed: `GET /api/clients/:mac` shows it at the node it roamed
 * to, with the roam in its history with its method and handoff gap as the station model drew
 * them, and the timeline tells it in words. Per-node client counts are the stations there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord, ClientRoam } from '../../src/controller/clients/client-records.ts';
import type { StoredEvent } from '../../src/controller/store/records.ts';
import type { MeshEvent } from '../../src/core/events.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';
import { apiApp, type ApiApp } from '../controller/api-app.ts';
import { WorldFeed } from './world-feed.ts';

let world: DemoWorld;
let feed: WorldFeed;
let api: ApiApp;
let token: string;
const roamed: MeshEvent[] = [];

const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const r = await api.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
  return { status: r.statusCode, body: r.json() as T };
};

beforeAll(async () => {
  world = new DemoWorld({ nodes: 12, seed: 5 });
  world.onEvent((e) => {
    if (e.kind === 'client-roamed') roamed.push(e);
  });
  api = await apiApp({ scheduler: world.sim.scheduler, site: 'demo' });
  token = await api.login('watcher', 'viewer-pw');
  feed = new WorldFeed(world, api.ingest);
  await feed.run(120_000);
  api.ingest.flush();
}, 120_000);

afterAll(() => api?.close());

describe('the demo clients', () => {
  it('roam within two minutes, and the controller shows where they went, how and how long it took', async () => {
    expect(roamed.length).toBeGreaterThan(0);
    const last = roamed.at(-1)!;
    const mac = last.mac!;
    expect(world.stations.mobileMacs).toContain(mac);
    const { status, body } = await get<{ client: ClientRecord; history: ClientRoam[] }>(
      `/api/clients/${mac}`,
    );
    expect(status).toBe(200);
    const ap = world.stations.field.apOf(mac);
    if (ap !== undefined) expect(body.client).toMatchObject({ node: ap, associated: true });
    expect(body.client.roams).toBe(roamed.filter((e) => e.mac === mac).length);
    expect(body.history[0]).toEqual({
      at: last.at,
      from: last.from,
      to: last.node,
      method: last.method,
      gap_ms: last.gap_ms,
      source: 'node',
    });
    expect(['ft-over-air', 'ft-over-ds', 'psk', '8021x']).toContain(body.history[0]!.method);
    expect(body.history[0]!.gap_ms).toBeGreaterThan(0);

    const timeline = await get<StoredEvent[]>(`/api/events?kind=client-roamed&limit=5000`);
    const entry = timeline.body.find((e) => e.subject === mac && e.at === last.at);
    expect(entry?.reason).toMatch(
      new RegExp(
        `^client ${mac} roamed ${last.from} → ${last.node}, (FT over the air|FT over the DS|WPA-PSK 4-way handshake|802\\.1X/EAP), \\d+(\\.\\d)? (ms|s)$`,
      ),
    );
  });

  it('every station a node reports is where the controller has it, and the counts match', async () => {
    const { body } = await get<{ clients: ClientRecord[] }>('/api/clients');
    const here = new Map(body.clients.filter((c) => c.associated).map((c) => [c.mac, c.node]));
    let total = 0;
    for (const node of world.nodeNames) {
      const report = world.report(node);
      expect(report.clients).toBe(report.stations?.length);
      total += report.clients ?? 0;
      const view = await get<{ stations: ClientRecord[] }>(`/api/nodes/${node}`);
      // The controller knows the node's list of its last state (2 s ago at most).
      for (const s of view.body.stations) expect(here.get(s.mac)).toBe(node);
    }
    expect(total).toBeGreaterThan(world.nodeNames.length);
    expect(here.size).toBeGreaterThan(world.nodeNames.length);
  });

  it('the clients of a node that dies go to other APs, and the controller follows them', async () => {
    // The node with the most clients near it.
    const victim = [...world.nodeNames].sort((a, b) => world.clientsOf(b) - world.clientsOf(a))[0]!;
    const before = world.report(victim).stations!.map((s) => s.mac);
    expect(before.length).toBeGreaterThan(0);
    world.faults.apply({ action: 'kill-node', node: victim });
    await feed.run(15_000);
    api.ingest.flush();
    const moved = before.filter((mac) => {
      const ap = world.stations.field.apOf(mac);
      return ap !== undefined && ap !== victim;
    });
    expect(moved.length).toBeGreaterThan(0);
    const { body } = await get<{ stations: ClientRecord[] }>(`/api/nodes/${victim}`);
    expect(body.stations).toEqual([]);
    for (const mac of moved) {
      const c = await get<{ client: ClientRecord; history: ClientRoam[] }>(`/api/clients/${mac}`);
      expect(c.body.client).toMatchObject({
        node: world.stations.field.apOf(mac),
        associated: true,
      });
      // The new AP says it (the station model roams off a lost AP), or the controller derives it.
      expect(c.body.history[0]).toMatchObject({ from: victim, to: c.body.client.node });
    }
  }, 60_000);
});
