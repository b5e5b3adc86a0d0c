import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { ReplayWindow } from './replay-window.ts';

const msg = (topic: string) => ({ topic, payload: new TextEncoder().encode(topic) });

describe('ReplayWindow', () => {
  it('gives back a partition’s held messages oldest first, once', () => {
    const clock = new VirtualScheduler();
    const w = new ReplayWindow({ clock });
    w.hold(1, msg('a'));
    w.hold(2, msg('b'));
    w.hold(1, msg('c'));
    expect(w.take([1]).map((m) => m.topic)).toEqual(['a', 'c']);
    expect(w.take([1])).toEqual([]);
    expect(w.size).toBe(1);
    expect(w.take([2, 3]).map((m) => m.topic)).toEqual(['b']);
  });

  it('forgets messages older than keepMs', () => {
    const clock = new VirtualScheduler();
    const w = new ReplayWindow({ clock, keepMs: 1000 });
    w.hold(1, msg('old'));
    clock.advance(600);
    w.hold(1, msg('new'));
    clock.advance(500);
    expect(w.take([1]).map((m) => m.topic)).toEqual(['new']);
  });

  it('expiry skips messages already taken without dropping younger ones', () => {
    const clock = new VirtualScheduler();
    const w = new ReplayWindow({ clock, keepMs: 1000 });
    w.hold(1, msg('taken'));
    w.hold(2, msg('kept'));
    w.take([1]);
    clock.advance(999);
    w.hold(3, msg('later'));
    expect(w.size).toBe(2);
    expect(w.take([2]).map((m) => m.topic)).toEqual(['kept']);
  });

  it('keeps at most maxMessages, dropping the oldest and counting them', () => {
    const clock = new VirtualScheduler();
    const w = new ReplayWindow({ clock, maxMessages: 3 });
    for (let i = 0; i < 5; i++) w.hold(0, msg(`m${i}`));
    expect(w.size).toBe(3);
    expect(w.dropped).toBe(2);
    expect(w.take([0]).map((m) => m.topic)).toEqual(['m2', 'm3', 'm4']);
  });

  it('stays correct over many holds and takes (the queue compacts)', () => {
    const clock = new VirtualScheduler();
    const w = new ReplayWindow({ clock, keepMs: 10 });
    let last = '';
    for (let i = 0; i < 5000; i++) {
      clock.advance(1);
      last = `m${i}`;
      w.hold(i % 2, msg(last));
    }
    expect(w.size).toBe(10);
    expect(w.take([0, 1]).at(-1)!.topic).toBe(last);
  });
});
