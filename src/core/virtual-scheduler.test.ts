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

  it('runs what a sorted-list model runs, under cancellations and nested scheduling', () => {
    // The heap sifts with a hole and runUntil pops inline (issue 16). Model: every event sorted
    // by (time, insertion order); those run must be exactly the ones not cancelled before
    // their turn, in that order.
    const s = new VirtualScheduler();
    let rng = 12345;
    const rand = (n: number): number => {
      rng = (rng * 1103515245 + 12345) % 2 ** 31;
      return rng % n;
    };
    const model: Array<{ at: number; id: number }> = [];
    const handles: Array<{ cancel(): void; id: number }> = [];
    const ran: number[] = [];
    const cancelled = new Set<number>();
    const schedule = (): void => {
      const id = model.length;
      const delay = rand(4) === 0 ? 0 : rand(50);
      model.push({ at: s.now() + delay, id });
      const h = s.after(delay, () => {
        ran.push(id);
        if (model.length < 5000) for (let k = rand(3); k > 0; k--) schedule();
        const victim = handles[rand(handles.length)]!;
        if (rand(4) === 0 && !ran.includes(victim.id)) {
          victim.cancel();
          cancelled.add(victim.id);
        }
      });
      handles.push({ cancel: () => h.cancel(), id });
    };
    for (let i = 0; i < 200; i++) schedule();
    for (let end = 10; s.pending > 0; end += 37) s.runUntil(end);
    const expected = [...model]
      .sort((a, b) => a.at - b.at || a.id - b.id)
      .filter((m) => !cancelled.has(m.id))
      .map((m) => m.id);
    expect(cancelled.size).toBeGreaterThan(100);
    expect(ran.length).toBeGreaterThan(1000);
    expect(ran).toEqual(expected);
    expect(s.eventsRun).toBe(ran.length);
  });
});
