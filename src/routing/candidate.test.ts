import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { Candidate, newOriginatorClock, RING_SIZE } from './candidate.ts';
import { SeqWindow } from './seq-window.ts';
import { ringAverage } from './tq.ts';

/** The eager model the engine used before: every event applied to every candidate at once. */
class Eager {
  window = new SeqWindow();
  span = 0;
  ring = new Uint8Array(RING_SIZE);
  index = 0;
  push(tq: number): void {
    this.ring[this.index] = tq;
    this.index = (this.index + 1) % RING_SIZE;
  }
}

describe('Candidate (lazy ageing)', () => {
  it('matches the eager window and ring under random sequence numbers, copies and resets', () => {
    for (const clearTq of [true, false]) {
      const rng = seededRandom(clearTq ? 7 : 8);
      const clock = newOriginatorClock();
      const lazy = [0, 1, 2, 3].map((a) => new Candidate(a, clock, clearTq));
      const eager = [0, 1, 2, 3].map(() => new Eager());
      for (let step = 0; step < 5000; step++) {
        const i = rng.int(4);
        const op = rng.next();
        if (op < 0.4) {
          // a new sequence number `diff` ahead, first heard through candidate i
          const diff = 1 + (rng.next() < 0.1 ? rng.int(80) : 0);
          clock.seqPos += diff;
          for (const e of eager) {
            e.window.shift(diff);
            e.span = Math.min(64, e.span + diff);
          }
          lazy[i]!.setAge(0);
          eager[i]!.window.set(0);
          const tq = rng.int(256);
          lazy[i]!.pushTq(tq, true);
          eager.forEach((e, j) => e.push(j === i ? tq : 0));
        } else if (op < 0.8) {
          // a duplicate copy of an older sequence number through candidate i
          const age = rng.int(70);
          lazy[i]!.setAge(age);
          eager[i]!.window.set(age);
          const tq = rng.int(256);
          lazy[i]!.pushTq(tq, false);
          eager[i]!.push(tq);
        } else if (op < 0.83) {
          // the originator rebooted
          clock.epoch++;
          clock.resetPos = clock.seqPos;
          for (const e of eager) {
            e.window.clear();
            e.span = 0;
            if (clearTq) e.ring.fill(0);
          }
        } else if (op < 0.85) {
          lazy[i]!.clearRing();
          eager[i]!.ring.fill(0);
        }
        const j = rng.int(4);
        expect(lazy[j]!.tqAvg).toBe(ringAverage(eager[j]!.ring));
        expect(lazy[j]!.count()).toBe(eager[j]!.window.count());
        expect(lazy[j]!.span).toBe(eager[j]!.span);
        const n = rng.int(66);
        expect(lazy[j]!.anyWithin(n)).toBe(eager[j]!.window.anyWithin(n));
        expect(lazy[j]!.countWithin(n)).toBe(eager[j]!.window.countWithin(n));
        expect(lazy[j]!.has(n)).toBe(eager[j]!.window.has(n));
      }
    }
  });
});
