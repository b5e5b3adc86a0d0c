import { describe, expect, it } from 'vitest';
import { ListenerSet } from './listener-set.ts';

describe('ListenerSet', () => {
  it('calls listeners in order and skips ones removed during delivery', () => {
    const set = new ListenerSet();
    const calls: string[] = [];
    let offSecond = (): void => {};
    set.add((_f, from) => {
      calls.push(`1:${from}`);
      offSecond();
    });
    offSecond = set.add(() => calls.push('2'));
    set.add(() => calls.push('3'));
    set.emit(Uint8Array.of(0), 'x');
    expect(calls).toEqual(['1:x', '3']);
    expect(set.size).toBe(2);
  });

  it('stops delivering at once when cleared by a listener', () => {
    const set = new ListenerSet();
    const calls: number[] = [];
    set.add(() => {
      calls.push(1);
      set.clear();
    });
    set.add(() => calls.push(2));
    set.emit(Uint8Array.of(0), 'x');
    set.emit(Uint8Array.of(0), 'x');
    expect(calls).toEqual([1]);
  });

  it('gives each subscription of the same function its own unsubscribe', () => {
    const set = new ListenerSet();
    let n = 0;
    const f = () => n++;
    const off1 = set.add(f);
    set.add(f);
    off1();
    off1();
    set.emit(Uint8Array.of(0), 'x');
    expect(n).toBe(1);
  });
});
