import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoWorld } from '../../src/demo/demo-world.ts';
import { apiApp, type ApiApp } from '../controller/api-app.ts';

let api: ApiApp | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await api?.close();
});

async function setup(world: DemoWorld | undefined) {
  api = await apiApp({ demo: world?.faults });
  app = api.app;
  return {
    admin: { authorization: `Bearer ${await api.login('admin', 'admin-pw')}` },
    viewer: { authorization: `Bearer ${await api.login('watcher', 'viewer-pw')}` },
  };
}

describe('fault API of the demo', () => {
  it('lists the targets and drives the simulator: a cut WAN goes down, a killed node stops', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 3 });
    await world.step(10_000);
    const h = await setup(world);
    const get = await app!.inject({ url: '/api/demo/faults', headers: h.viewer });
    expect(get.statusCode).toBe(200);
    const body = get.json() as {
      targets: { nodes: string[]; wans: unknown[]; links: unknown[] };
      active: unknown[];
    };
    expect(body.targets.nodes).toHaveLength(24);
    expect(body.targets.wans).toContainEqual({ node: 'n0', wan: 'lte' });
    expect(body.targets.links).toContainEqual({ a: 'n0', b: 'n1' });
    expect(body.active).toEqual([]);

    const post = (payload: unknown, headers = h.admin) =>
      app!.inject({ method: 'POST', url: '/api/demo/faults', headers, payload: payload as object });
    expect((await post({ action: 'kill-node', node: 'n7' }, h.viewer)).statusCode).toBe(403);
    expect((await post({ action: 'cut-wan', node: 'n5', wan: 'wan' })).statusCode).toBe(202);
    expect((await post({ action: 'kill-node', node: 'n7' })).statusCode).toBe(202);
    expect((await post({ action: 'degrade-link', a: 'n1', b: 'n2', loss: 0.5 })).statusCode).toBe(
      202,
    );
    await world.step(100);
    expect(world.sim.node('n5')!.wans.get('wan')!.state).toBe('down');
    expect(world.isUp('n7')).toBe(false);
    expect(world.sim.channel.params('n1', 'n2').loss).toBe(0.5);
    const active = (await app!.inject({ url: '/api/demo/faults', headers: h.viewer })).json() as {
      active: { kind: string }[];
    };
    expect(active.active.map((a) => a.kind).sort()).toEqual([
      'link-degraded',
      'node-killed',
      'wan-cut',
    ]);

    expect((await post({ action: 'restore-node', node: 'n7' })).statusCode).toBe(202);
    expect((await post({ action: 'restore-link', a: 'n2', b: 'n1' })).statusCode).toBe(202);
    await world.step(100);
    expect(world.isUp('n7')).toBe(true);
    expect(world.sim.channel.params('n1', 'n2').loss).toBe(0.02);
  }, 60_000);

  it('lists active faults readably and the state of each target, times as ISO and integer ms', async () => {
    // The demo's wall clock is fractional (performance.now based); the API must not be.
    let wall = 1_796_534_696_860.9724;
    const world = new DemoWorld({ nodes: 24, seed: 3, wallClock: () => wall });
    await world.step(5_000);
    const h = await setup(world);
    const post = (payload: object) =>
      app!.inject({ method: 'POST', url: '/api/demo/faults', headers: h.admin, payload });
    expect((await post({ action: 'kill-node', node: 'n7' })).statusCode).toBe(202);
    wall += 45_000;
    expect((await post({ action: 'cut-wan', node: 'n0', wan: 'lte' })).statusCode).toBe(202);
    expect((await post({ action: 'degrade-link', a: 'n2', b: 'n1', loss: 0.6 })).statusCode).toBe(
      202,
    );
    await world.step(100);
    const body = (await app!.inject({ url: '/api/demo/faults', headers: h.viewer })).json() as {
      state: {
        nodes: { node: string; state: string }[];
        wans: { node: string; wan: string; state: string }[];
        links: { a: string; b: string; state: string; loss: number }[];
      };
      active: unknown[];
    };
    expect(body.active).toEqual([
      {
        kind: 'node-killed',
        target: 'n7',
        since: '2026-12-06T05:24:56.861Z',
        since_ms: 1_796_534_696_861,
        parameters: {},
        restore: { action: 'restore-node', node: 'n7' },
      },
      {
        kind: 'wan-cut',
        target: 'n0/lte',
        since: '2026-12-06T05:25:41.861Z',
        since_ms: 1_796_534_741_861,
        parameters: { wan_kind: 'modem' },
        restore: { action: 'restore-wan', node: 'n0', wan: 'lte' },
      },
      {
        kind: 'link-degraded',
        target: 'n1-n2',
        since: '2026-12-06T05:25:41.861Z',
        since_ms: 1_796_534_741_861,
        parameters: { loss: 0.6 },
        restore: { action: 'restore-link', a: 'n1', b: 'n2' },
      },
    ]);
    const nodeState = (n: string) => body.state.nodes.find((x) => x.node === n)?.state;
    expect([nodeState('n7'), nodeState('n6')]).toEqual(['down', 'up']);
    expect(body.state.wans).toContainEqual({ node: 'n0', wan: 'lte', state: 'cut' });
    expect(body.state.wans).toContainEqual({ node: 'n0', wan: 'wan', state: 'up' });
    expect(body.state.links).toContainEqual({ a: 'n1', b: 'n2', state: 'degraded', loss: 0.6 });
    expect(body.state.links).toContainEqual({ a: 'n0', b: 'n1', state: 'normal', loss: 0.02 });
  }, 60_000);

  it('refuses faults that contradict the state with 409 and a clear message, changing nothing', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 3 });
    await world.step(5_000);
    const h = await setup(world);
    const post = (payload: object) =>
      app!.inject({ method: 'POST', url: '/api/demo/faults', headers: h.admin, payload });
    expect((await post({ action: 'kill-node', node: 'n7' })).statusCode).toBe(202);
    expect((await post({ action: 'cut-wan', node: 'n0', wan: 'wan' })).statusCode).toBe(202);
    const before = world.faults.active();
    const cases: [object, string][] = [
      [{ action: 'kill-node', node: 'n7' }, 'node n7 is already down'],
      [{ action: 'restore-node', node: 'n6' }, 'node n6 is up: nothing to restore'],
      [{ action: 'cut-wan', node: 'n0', wan: 'wan' }, 'WAN n0/wan is already cut (since '],
      [{ action: 'restore-wan', node: 'n0', wan: 'lte' }, 'WAN n0/lte is up: nothing to restore'],
      [{ action: 'restore-link', a: 'n1', b: 'n2' }, 'link n1-n2 is not degraded'],
    ];
    for (const [payload, message] of cases) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(409);
      expect((r.json() as { error: string }).error).toContain(message);
    }
    expect(world.faults.active()).toEqual(before);
    await world.step(100);
    expect(world.isUp('n7')).toBe(false);
    expect(world.isUp('n6')).toBe(true);
    expect(world.faults.state().wans).toContainEqual({ node: 'n0', wan: 'lte', state: 'up' });
  }, 60_000);

  it('rejects bad bodies with 400 naming the field', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 3 });
    const h = await setup(world);
    const post = async (payload: unknown) => {
      const r = await app!.inject({
        method: 'POST',
        url: '/api/demo/faults',
        headers: h.admin,
        payload: payload as object,
      });
      return { status: r.statusCode, text: JSON.stringify(r.json()) };
    };
    const cases: [unknown, string][] = [
      [{ action: 'explode', node: 'n1' }, 'action'],
      [{ action: 'degrade-link', a: 'n1', b: 'n2', loss: 1.5 }, 'loss'],
      [{ action: 'cut-wan', node: 'n0' }, 'wan'],
      [{ action: 'kill-node', node: 'n99' }, "no node 'n99'"],
      [{ action: 'cut-wan', node: 'n7', wan: 'wan' }, "node 'n7' has no WAN 'wan'"],
      [{ action: 'restore-link', a: 'n0', b: 'n23' }, "no link between 'n0' and 'n23'"],
    ];
    for (const [payload, field] of cases) {
      const r = await post(payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.text).toContain(field);
    }
    expect(world.faults.active()).toEqual([]);
  });

  it('answers 404 when no demo runs', async () => {
    const h = await setup(undefined);
    expect((await app!.inject({ url: '/api/demo/faults', headers: h.viewer })).statusCode).toBe(
      404,
    );
    const r = await app!.inject({
      method: 'POST',
      url: '/api/demo/faults',
      headers: h.admin,
      payload: { action: 'kill-node', node: 'n1' },
    });
    expect(r.statusCode).toBe(404);
  });
});
