import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from './virtual-scheduler.ts';

describe('VirtualScheduler', () => {
  it('runs events in time order, ties in insertion order', () => {
    const s = new VirtualScheduler();
    const seen: string[] = [];
    s.after(20, () => seen.push(`b@${s.now()}`));
    s.after(10, () => seen.push(`a@${s.now()}`));
    s.after(20, () => seen.push(`c@${s.now()}`));
    s.after(10, () => seen.push(`a2@${s.now()}`));
    s.runAll();
    expect(seen).toEqual(['a@10', 'a2@10', 'b@20', 'c@20']);
  });

  it('does not run cancelled events and stops at the horizon', () => {
    const s = new VirtualScheduler(100);
    const seen: number[] = [];
    const h = s.after(5, () => seen.push(1));
    s.after(10, () => seen.push(2));
    s.after(50, () => seen.push(3));
    h.cancel();
    s.runUntil(120);
    expect(seen).toEqual([2]);
    expect(s.now()).toBe(120);
    expect(s.eventsRun).toBe(1);
    expect(s.nextEventAt()).toBe(150);
  });

  it('lets events schedule more events, never in the past', () => {
    const s = new VirtualScheduler();
    const seen: number[] = [];
    s.after(10, () => {
      s.at(0, () => seen.push(s.now()));
      s.after(5, () => seen.push(s.now()));
    });
    s.advance(100);
    expect(seen).toEqual([10, 15]);
  });

  it('orders a large random workload like a stable sort', () => {
    const s = new VirtualScheduler();
    const order: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = (i * 7919) % 97;
      times.push(t);
      s.after(t, () => order.push(i));
    }
    s.runAll();
    const expected = times
      .map((t, i) => ({ t, i }))
      .sort((x, y) => x.t - y.t || x.i - y.i)
      .map((x) => x.i);
    expect(order).toEqual(expected);
  });
});
