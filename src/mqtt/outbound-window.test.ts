import { describe, expect, it } from 'vitest';
import { OutboundWindow } from './outbound-window.ts';

describe('OutboundWindow', () => {
  it('sends up to the inflight limit, queues up to the queue limit, drops the rest', () => {
    const w = new OutboundWindow<number>({ maxInflight: 2, maxQueued: 2, maxQueuedBytes: 1000 });
    expect([1, 2, 3, 4, 5].map((n) => w.offer(n, 10))).toEqual([
      'send',
      'send',
      'queued',
      'queued',
      'dropped',
    ]);
    expect(w.dropped).toBe(1);
    // Written at QoS 1: still in flight until acknowledged.
    w.written(true);
    expect(w.pump()).toEqual([]);
    w.acked();
    expect(w.pump()).toEqual([3]);
    // Written at QoS 0: free as soon as the socket took it.
    w.written(false);
    expect(w.pump()).toEqual([4]);
    expect(w.queued).toBe(0);
  });

  it('bounds the queue by bytes too', () => {
    const w = new OutboundWindow<string>({ maxInflight: 1, maxQueued: 100, maxQueuedBytes: 25 });
    expect(w.offer('a', 10)).toBe('send');
    expect(w.offer('b', 10)).toBe('queued');
    expect(w.offer('c', 10)).toBe('queued');
    expect(w.offer('d', 10)).toBe('dropped');
    expect(w.queuedBytes).toBe(20);
  });

  it('keeps order: nothing overtakes the queue while it holds messages', () => {
    const w = new OutboundWindow<string>({ maxInflight: 1, maxQueued: 10, maxQueuedBytes: 1000 });
    w.offer('a', 1);
    w.offer('b', 1);
    w.written(false);
    // A slot is free, but 'b' waits in the queue: 'c' goes behind it.
    expect(w.offer('c', 1)).toBe('queued');
    expect(w.pump()).toEqual(['b']);
  });

  it('does not let spurious acknowledgements free slots still being written', () => {
    const w = new OutboundWindow<string>({ maxInflight: 1, maxQueued: 10, maxQueuedBytes: 1000 });
    w.offer('a', 1);
    w.offer('b', 1);
    w.acked();
    w.acked();
    expect(w.pump()).toEqual([]);
    expect(w.inflight).toBe(1);
  });
});
