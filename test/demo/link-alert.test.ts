import { afterEach, describe, expect, it } from 'vitest';
import { Ingest, type AlertTransition } from '../../src/controller/ingest.ts';
import { networkGraph } from '../../src/controller/netjson.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';
import { WorldFeed } from './world-feed.ts';

let store: ControllerStore | undefined;
afterEach(() => store?.close());

async function setup(seed: number) {
  const world = new DemoWorld({ nodes: 24, seed });
  store = await ControllerStore.open(':memory:');
  const ingest = new Ingest({ store, scheduler: world.sim.scheduler });
  const transitions: (AlertTransition & { at: number })[] = [];
  ingest.on('alert', (t) => transitions.push({ ...t, at: world.now() }));
  return { world, ingest, transitions, feed: new WorldFeed(world, ingest) };
}

describe('degraded links in the demo (simulated time, real routing engine and controller ingest)', () => {
  it('a link degraded to 60% loss opens an alert within 10 s; restoring it closes the alert', async () => {
    const { world, transitions, feed } = await setup(1);
    await feed.run(60_000);
    // A healthy mesh raises no link alert.
    expect(transitions.filter((t) => t.alert.kind === 'link-degraded')).toEqual([]);

    const t0 = world.now();
    world.faults.apply({ action: 'degrade-link', a: 'n3', b: 'n4', loss: 0.6 });
    await feed.run(10_000);
    const opened = transitions.find(
      (t) => t.op === 'opened' && t.alert.key === 'link-degraded:n3|n4',
    );
    expect(opened, 'alert opened within 10 s').toBeDefined();
    expect(opened!.at - t0).toBeLessThanOrEqual(10_000);
    expect(opened!.related).toEqual(['n3', 'n4']);
    expect(opened!.alert.message).toMatch(/^Link n3–n4 is degraded \(\d+% loss, TQ \d+/);

    // The API's link: loss of the worse direction, TQ the lower of the two directions.
    const link = networkGraph('demo', await store!.nodes.list()).links.find(
      (l) => l.source === 'n3' && l.target === 'n4',
    )!;
    const p = link.properties as Record<string, number>;
    expect(p.tq).toBe(Math.min(p.tq_source_target!, p.tq_target_source!));
    expect(p.loss).toBe(Math.max(p.loss_source_target!, p.loss_target_source!));
    expect(p.loss).toBeGreaterThanOrEqual(0.3);

    const t1 = world.now();
    world.faults.apply({ action: 'restore-link', a: 'n3', b: 'n4' });
    await feed.run(30_000);
    const closed = transitions.find(
      (t) => t.op === 'closed' && t.alert.key === 'link-degraded:n3|n4',
    );
    expect(closed, 'alert closed after the restore').toBeDefined();
    expect(closed!.at - t1).toBeLessThanOrEqual(20_000);
    expect((await store!.alerts.listOpen()).filter((a) => a.kind === 'link-degraded')).toEqual([]);
    // Only this link was degraded: no other link alert on the way.
    expect(
      new Set(transitions.filter((t) => t.alert.kind === 'link-degraded').map((t) => t.alert.key)),
    ).toEqual(new Set(['link-degraded:n3|n4']));
  }, 120_000);
});
