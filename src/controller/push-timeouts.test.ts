import { describe, expect, it } from 'vitest';
import { expireUnansweredPushes } from './push-timeouts.ts';
import { ControllerStore } from './store/controller-store.ts';

describe('expireUnansweredPushes', () => {
  it('times out a push without news for the timeout, on the timeline too; a late answer still counts', () => {
    const store = ControllerStore.open(':memory:');
    const make = (id: string, at: number) =>
      store.pushes.create({ id, node: 'n1', version: id, requested_by: 'admin', config: {} }, at);
    make('p-old', 1_000);
    make('p-new', 200_000);
    make('p-done', 1_000);
    store.pushes.update('p-done', 'confirmed', 'ok', 2_000);

    const expired = expireUnansweredPushes(store, 301_500, 300_000);
    expect(expired.map((p) => [p.id, p.status, p.reason])).toEqual([
      ['p-old', 'timed-out', "no answer from n1 for 301 s after 'requested'"],
    ]);
    expect(store.pushes.get('p-new')!.status).toBe('requested');
    expect(store.pushes.get('p-done')!.status).toBe('confirmed');
    const [timedOut] = store.events.query({ kinds: ['push-timed-out'] });
    expect(timedOut).toMatchObject({
      node: 'n1',
      subject: 'p-old',
      from: 'requested',
      source: 'controller',
    });
    // Nothing is timed out twice.
    expect(expireUnansweredPushes(store, 400_000, 300_000)).toEqual([]);

    // The node was offline; the broker kept the command and it answers at last.
    store.pushes.update('p-old', 'applied', 'applied', 410_000);
    expect(store.events.query({ kinds: ['push-applied'] })[0]).toMatchObject({ from: 'timed-out' });
  });
});
