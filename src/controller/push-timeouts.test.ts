import { describe, expect, it } from 'vitest';
import { expireUnansweredPushes } from './push-timeouts.ts';
import { ControllerStore } from './store/controller-store.ts';

describe('expireUnansweredPushes', () => {
  it('times out a push without news for the timeout, on the timeline too; a late answer still counts', async () => {
    const store = await ControllerStore.open(':memory:');
    const make = async (id: string, at: number) =>
      await store.pushes.create(
        { id, node: 'n1', version: id, requested_by: 'admin', config: {} },
        at,
      );
    await make('p-old', 1_000);
    await make('p-new', 200_000);
    await make('p-done', 1_000);
    await store.pushes.update('p-done', 'confirmed', 'ok', 2_000);

    const expired = await expireUnansweredPushes(store, 301_500, 300_000);
    expect(expired.map((p) => [p.id, p.status, p.reason])).toEqual([
      ['p-old', 'timed-out', "no answer from n1 for 301 s after 'requested'"],
    ]);
    expect((await store.pushes.get('p-new'))!.status).toBe('requested');
    expect((await store.pushes.get('p-done'))!.status).toBe('confirmed');
    const [timedOut] = await store.events.query({ kinds: ['push-timed-out'] });
    expect(timedOut).toMatchObject({
      node: 'n1',
      subject: 'p-old',
      from: 'requested',
      source: 'controller',
    });
    // Nothing is timed out twice.
    expect(await expireUnansweredPushes(store, 400_000, 300_000)).toEqual([]);

    // The node was offline; the broker kept the command and it answers at last.
    await store.pushes.update('p-old', 'applied', 'applied', 410_000);
    expect((await store.events.query({ kinds: ['push-applied'] }))[0]).toMatchObject({
      from: 'timed-out',
    });
  });
});
