import { describe, expect, it } from 'vitest';
import { DemoWorld } from '../../src/demo/demo-world.ts';
import { defaultRuntimeConfig, validateRuntimeConfig } from '../../src/demo/node-runtime-config.ts';
import type { MeshEvent } from '../../src/core/events.ts';

describe('demo world on virtual time', () => {
  it('runs 24 nodes with 4 announcing gateways; every mesh node selects one', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 1 });
    expect(world.nodeNames).toHaveLength(24);
    await world.step(20_000);
    const gateways = world.gatewayNames;
    expect(gateways).toHaveLength(4);
    for (const g of gateways) expect(world.report(g).gateway.announcing).toBe(true);
    for (const n of world.nodeNames.filter((x) => !gateways.includes(x))) {
      const r = world.report(n);
      expect(gateways).toContain(r.gateway.selected);
      expect(r.neighbours.length).toBeGreaterThanOrEqual(2);
      expect(r.routes!.length).toBeGreaterThan(15);
    }
    // Grid neighbours, each with the TQ of its direct link.
    const n7 = world.report('n7').neighbours;
    expect(n7.map((n) => n.node).sort()).toEqual(['n1', 'n13', 'n6', 'n8']);
    for (const nb of n7) expect(nb.tq).toBeGreaterThan(100);
    // The 4G modems dialled through their state machine and carry a share of traffic.
    const lte = world.report('n0').wans.find((w) => w.name === 'lte')!;
    expect(lte).toMatchObject({ kind: 'modem', state: 'up', active: true, share: 0.25 });
    expect(lte.modem?.state).toBe('connected');
  }, 60_000);

  it('cutting a gateway’s WANs moves its mesh clients to other gateways within 3 s', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 2 });
    const events: MeshEvent[] = [];
    world.onEvent((e) => events.push(e));
    await world.step(20_000);
    const gateways = world.gatewayNames;
    const clientsOf = (g: string) =>
      world.nodeNames.filter((n) => world.report(n).gateway.selected === g);
    const victim = [...gateways].sort((a, b) => clientsOf(b).length - clientsOf(a).length)[0]!;
    const clients = clientsOf(victim);
    expect(clients.length).toBeGreaterThan(0);
    const cutAt = world.now();
    for (const w of world.wansOf(victim))
      world.faults.apply({ action: 'cut-wan', node: victim, wan: w.name });
    await world.step(3_000);
    expect(world.report(victim).gateway.announcing).toBe(false);
    for (const c of clients) {
      const selected = world.report(c).gateway.selected;
      expect(selected, c).not.toBe(victim);
      expect(gateways, c).toContain(selected);
    }
    // The victim itself now uses the mesh through another gateway.
    expect(gateways.filter((g) => g !== victim)).toContain(world.report(victim).gateway.selected);
    const after = events.filter((e) => e.at >= cutAt);
    expect(after).toContainEqual(
      expect.objectContaining({ node: victim, kind: 'gateway-announce', to: 'off' }),
    );
    expect(world.faults.active()).toHaveLength(world.wansOf(victim).length);
  }, 60_000);
});

describe('silent gateway death on virtual time', () => {
  it('clients of a crashed gateway select another one within 3 s', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 5 });
    await world.step(20_000);
    const victim = 'n23';
    const clients = world.nodeNames.filter((n) => world.report(n).gateway.selected === victim);
    expect(clients.length).toBeGreaterThan(0);
    world.faults.apply({ action: 'kill-node', node: victim });
    await world.step(3_000);
    expect(world.isUp(victim)).toBe(false);
    for (const c of clients) {
      const selected = world.report(c).gateway.selected;
      expect(selected, c).not.toBe(victim);
      expect(world.gatewayNames, c).toContain(selected);
    }
  }, 60_000);
});

describe('4G modem WAN', () => {
  it('losing the cell drops the data session and the WAN; the dialer reconnects when it returns', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 6 });
    const events: MeshEvent[] = [];
    world.onEvent((e) => events.push(e));
    await world.step(10_000);
    const lte = () => world.report('n0').wans.find((w) => w.name === 'lte')!;
    const wan = () => world.report('n0').wans.find((w) => w.name === 'wan')!;
    expect(lte().modem?.state).toBe('connected');
    world.faults.apply({ action: 'cut-wan', node: 'n0', wan: 'lte' });
    await world.step(1_000);
    expect(lte().modem?.state).not.toBe('connected');
    expect(lte()).toMatchObject({ state: 'down', active: false });
    expect(wan()).toMatchObject({ active: true, share: 1 });
    await world.step(15_000);
    expect(lte().modem?.state).not.toBe('connected');
    world.faults.apply({ action: 'restore-wan', node: 'n0', wan: 'lte' });
    await world.step(30_000);
    expect(lte()).toMatchObject({ state: 'up', active: true, modem: { state: 'connected' } });
    const modemStates = events.filter((e) => e.node === 'n0' && e.kind === 'modem-state');
    expect(modemStates.map((e) => e.to)).toEqual(
      expect.arrayContaining(['registering', 'connecting', 'connected', 'backoff']),
    );
  }, 60_000);
});

describe('runtime config of a demo node', () => {
  it('a new policy really changes the node’s agent; a bad one is refused with paths', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 4 });
    await world.step(10_000);
    const share = () => world.report('n0').wans.find((w) => w.name === 'lte')!.share;
    expect(share()).toBe(0.25);
    const cfg = defaultRuntimeConfig(world.wansOf('n0'));
    cfg.policy.members[1]!.weight = 3;
    const v = validateRuntimeConfig(cfg, ['wan', 'lte']);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    await world.applyConfig('n0', v.config);
    await world.step(100);
    expect(share()).toBe(0.5);
    const bad = structuredClone(cfg);
    bad.policy.members[1]!.wan = 'dsl';
    (bad.trackers.lte as { down: number }).down = 0;
    const r = validateRuntimeConfig(bad, ['wan', 'lte']);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['policy.members[1].wan', 'trackers.lte.down']),
    );
  }, 60_000);
});
