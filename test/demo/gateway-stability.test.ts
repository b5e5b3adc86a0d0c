/**
 * Gateway selection on the demo mesh, on virtual time: with 2 % loss on every link and no fault,
 * TQ noise must not move a node from one gateway to another (it did: "TQ 178 beats n5's 158 by
 * 20" and back minutes later); and a gateway whose own WAN comes back releases its mesh gateway
 * saying so, not that the gateway is gone.
 */
import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/core/events.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';

const selections = (events: MeshEvent[], after: number) =>
  events.filter((e) => e.kind === 'gateway-select' && e.subject === 'mesh-gateway' && e.at > after);

const WARM_UP_MS = 120_000;

describe('gateway selection on the demo mesh', () => {
  it.each([1, 2, 3, 4, 5])(
    'no node switches gateway over 10 simulated minutes without a fault (seed %i)',
    async (seed) => {
      const world = new DemoWorld({ nodes: 24, seed });
      const events: MeshEvent[] = [];
      world.onEvent((e) => events.push(e));
      // Converged: every mesh node has a gateway, and the first two minutes' TQ has settled (a
      // node may still move once to a gateway that proves better by the switch margin).
      await world.step(WARM_UP_MS, 50);
      for (const n of world.nodeNames.filter((x) => !world.gatewayNames.includes(x)))
        expect(world.gatewayNames, n).toContain(world.report(n).gateway.selected);
      await world.step(600_000, 50);
      expect(selections(events, WARM_UP_MS).map((e) => `${e.at} ${e.node}: ${e.reason}`)).toEqual(
        [],
      );
    },
    300_000,
  );

  it('a gateway whose WAN returns releases its mesh gateway as not needed, quoting its own WAN', async () => {
    const world = new DemoWorld({ nodes: 24, seed: 1 });
    const events: MeshEvent[] = [];
    world.onEvent((e) => events.push(e));
    await world.step(20_000);
    const victim = 'n5';
    for (const w of world.wansOf(victim))
      world.faults.apply({ action: 'cut-wan', node: victim, wan: w.name });
    await world.step(5_000);
    const via = world.report(victim).gateway.selected;
    expect(world.gatewayNames).toContain(via);
    const restoredAt = world.now();
    for (const w of world.wansOf(victim))
      world.faults.apply({ action: 'restore-wan', node: victim, wan: w.name });
    await world.step(5_000);
    expect(world.report(victim).gateway.announcing).toBe(true);
    const released = selections(events, restoredAt).filter((e) => e.node === victim);
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ from: via, to: null });
    const { bandwidth_down_kbit: down, bandwidth_up_kbit: up } = world.report(victim).gateway;
    expect(released[0]!.reason).toBe(
      `${via} released: this node serves itself: it announces its own WANs (${down}/${up} kbit/s)`,
    );
  }, 120_000);
});
