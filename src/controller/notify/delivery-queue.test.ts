import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { DeliveryQueue, type NotificationSender } from './delivery-queue.ts';
import type { IncidentNotification } from './incident.ts';

const note = (id: string): IncidentNotification => ({
  type: 'incident-opened',
  site: 'lab',
  at: 0,
  incident: {
    id,
    root: `node:${id}`,
    title: id,
    severity: 'critical',
    opened_at: 0,
    resolved_at: null,
    flapping: false,
    alerts: [],
  },
});

/** Lets the sender's promise settle between virtual-time steps. */
const settle = () => new Promise((r) => setImmediate(r));

describe('DeliveryQueue', () => {
  it('retries a failing receiver with exponential backoff, in order, without blocking the caller', async () => {
    const s = new VirtualScheduler(0);
    const attempts: [string, number][] = [];
    let failures = 2;
    const sender: NotificationSender = {
      name: 'test',
      send: async (n) => {
        attempts.push([n.incident.id, s.now()]);
        if (failures-- > 0) throw new Error('receiver down');
      },
    };
    const q = new DeliveryQueue(sender, { scheduler: s, retry: { firstDelayMs: 1_000 } });
    q.enqueue(note('a'));
    q.enqueue(note('b')); // returns at once although 'a' is still failing
    for (let i = 0; i < 10; i++) {
      await settle();
      s.advance(500);
    }
    await settle();
    // a at 0 fails, again 1 s later fails, again 2 s after that succeeds; then b.
    expect(attempts).toEqual([
      ['a', 0],
      ['a', 1_000],
      ['a', 3_000],
      ['b', 3_000],
    ]);
    expect(q.stats).toEqual({ sent: 2, failedAttempts: 2, dropped: 0 });
  });

  it('gives up after maxAttempts and goes on with the next notification', async () => {
    const s = new VirtualScheduler(0);
    const sent: string[] = [];
    const q = new DeliveryQueue(
      {
        name: 'test',
        send: async (n) => {
          if (n.incident.id === 'bad') throw new Error('422');
          sent.push(n.incident.id);
        },
      },
      { scheduler: s, retry: { firstDelayMs: 100, maxAttempts: 3 } },
    );
    q.enqueue(note('bad'));
    q.enqueue(note('good'));
    for (let i = 0; i < 10; i++) {
      await settle();
      s.advance(100);
    }
    expect(sent).toEqual(['good']);
    expect(q.stats).toEqual({ sent: 1, failedAttempts: 3, dropped: 1 });
  });
});
