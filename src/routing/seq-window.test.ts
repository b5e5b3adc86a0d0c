import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqWindow, WINDOW_SIZE } from './seq-window.ts';

describe('SeqWindow', () => {
  it('counts, ages and forgets sequence numbers', () => {
    const w = new SeqWindow();
    w.set(0);
    w.shift(3);
    w.set(0);
    expect(w.count()).toBe(2);
    expect(w.has(3)).toBe(true);
    expect(w.has(2)).toBe(false);
    expect(w.anyWithin(1)).toBe(true);
    w.shift(2);
    expect(w.anyWithin(2)).toBe(false);
    expect(w.anyWithin(3)).toBe(true);
    w.shift(60); // the older mark is now 65 back: gone
    expect(w.count()).toBe(1);
    expect(w.has(62)).toBe(true);
    w.shift(2);
    expect(w.count()).toBe(0);
  });

  it('ignores marks outside the window', () => {
    const w = new SeqWindow();
    w.set(-1);
    w.set(WINDOW_SIZE);
    expect(w.count()).toBe(0);
  });

  it('matches a boolean-array model under random operations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('set'), n: fc.integer({ min: -2, max: 66 }) }),
            fc.record({ op: fc.constant('shift'), n: fc.integer({ min: 0, max: 70 }) }),
          ),
        ),
        fc.integer({ min: 0, max: 70 }),
        (ops, probe) => {
          const w = new SeqWindow();
          let model = new Array<boolean>(WINDOW_SIZE).fill(false);
          for (const { op, n } of ops) {
            if (op === 'set') {
              w.set(n);
              if (n >= 0 && n < WINDOW_SIZE) model[n] = true;
            } else {
              w.shift(n);
              model = [...new Array<boolean>(Math.min(n, WINDOW_SIZE)).fill(false), ...model].slice(
                0,
                WINDOW_SIZE,
              );
            }
          }
          expect(w.count()).toBe(model.filter(Boolean).length);
          for (let i = 0; i < WINDOW_SIZE; i++) expect(w.has(i)).toBe(model[i]);
          expect(w.anyWithin(probe)).toBe(model.slice(0, probe).some(Boolean));
          expect(w.countWithin(probe)).toBe(model.slice(0, probe).filter(Boolean).length);
        },
      ),
    );
  });
});
