/**
 * The demo's simulated client traffic on the simulator's clock: the WAN byte counters grow, in
 * the balance the multi-WAN policy sets, a cut WAN stops counting and its flows move to the
 * other WAN, mesh nodes count their clients' bytes on their mesh uplink, and a seed replays the
 * same traffic.
 */
import { describe, expect, it } from 'vitest';
import { DemoWorld } from '../../src/demo/demo-world.ts';

type Counters = Record<string, { rx_bytes?: number; tx_bytes?: number }>;

async function counters(world: DemoWorld, node: string): Promise<Counters> {
  return (await world.metrics(node)).wans;
}

function delta(after: Counters, before: Counters, wan: string): number {
  return (after[wan]?.rx_bytes ?? 0) - (before[wan]?.rx_bytes ?? 0);
}

describe('simulated client traffic in the demo', () => {
  it('grows the WAN counters in the policy’s balance, and a WAN cut moves the traffic', async () => {
    // 24 nodes: gateways n0 (wan weight 3 + lte weight 1), n5, n18, n23.
    const world = new DemoWorld({ nodes: 24, seed: 1 });
    await world.step(30_000);
    const t0 = await counters(world, 'n0');
    await world.step(60_000);
    const t1 = await counters(world, 'n0');
    const wan = delta(t1, t0, 'wan');
    const lte = delta(t1, t0, 'lte');
    expect(wan).toBeGreaterThan(0);
    expect(lte).toBeGreaterThan(0);
    expect(t1.wan!.tx_bytes!).toBeGreaterThan(t0.wan!.tx_bytes!);
    // Flows are placed 3:1; with their random rates the bytes follow roughly.
    expect(wan / (wan + lte)).toBeGreaterThan(0.55);
    expect(wan / (wan + lte)).toBeLessThan(0.95);

    world.faults.apply({ action: 'cut-wan', node: 'n0', wan: 'wan' });
    await world.step(5_000); // the carrier loss is seen at once; flows are flushed and reopened
    const t2 = await counters(world, 'n0');
    await world.step(30_000);
    const t3 = await counters(world, 'n0');
    expect(delta(t3, t2, 'wan')).toBe(0);
    // Everything n0 carries now leaves by lte: more than its share before the cut.
    expect(delta(t3, t2, 'lte') / 30).toBeGreaterThan((lte / 60) * 2);
    const flows = world.traffic.flowsByWan();
    expect(flows.get('n0/wan') ?? 0).toBe(0);
    expect(flows.get('n0/lte')).toBeGreaterThan(0);

    world.faults.apply({ action: 'restore-wan', node: 'n0', wan: 'wan' });
    await world.step(60_000);
    const t4 = await counters(world, 'n0');
    await world.step(20_000);
    const t5 = await counters(world, 'n0');
    expect(delta(t5, t4, 'wan')).toBeGreaterThan(0);
  }, 60_000);

  it('counts a mesh node’s clients on its mesh uplink, and a killed gateway’s traffic moves', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 2 });
    await world.step(30_000);
    const mesh = world.nodeNames.find(
      (n) => !world.gatewayNames.includes(n) && world.report(n).gateway.selected !== null,
    )!;
    const m0 = await counters(world, mesh);
    await world.step(20_000);
    const m1 = await counters(world, mesh);
    expect(delta(m1, m0, 'mesh')).toBeGreaterThan(0);

    const victim = world.report(mesh).gateway.selected!;
    const others = world.gatewayNames.filter((g) => g !== victim);
    const sum = async () => {
      let s = 0;
      for (const g of others)
        for (const c of Object.values(await counters(world, g))) s += c.rx_bytes ?? 0;
      return s;
    };
    const g0 = await sum();
    await world.step(20_000);
    const before = (await sum()) - g0;
    world.faults.apply({ action: 'kill-node', node: victim });
    await world.step(10_000);
    const g1 = await sum();
    await world.step(20_000);
    const after = (await sum()) - g1;
    // The other gateways now carry the dead one's mesh clients too.
    expect(after).toBeGreaterThan(before * 1.1);
    expect(world.report(mesh).gateway.selected).not.toBe(victim);
    const m2 = await counters(world, mesh);
    await world.step(10_000);
    expect(delta(await counters(world, mesh), m2, 'mesh')).toBeGreaterThan(0);
  }, 60_000);

  it('replays the same traffic for the same seed', async () => {
    const run = async () => {
      const world = new DemoWorld({ nodes: 12, seed: 7 });
      await world.step(20_000);
      return counters(world, 'n0');
    };
    const a = await run();
    expect(a.wan!.rx_bytes!).toBeGreaterThan(0);
    expect(await run()).toEqual(a);
  }, 60_000);
});
