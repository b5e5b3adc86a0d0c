import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { CandidateTable, RING_SIZE } from './candidate.ts';
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

/** One originator of the eager model: its candidates by neighbour slot. */
type EagerOriginator = Map<number, Eager>;

describe('CandidateTable (flat, lazily aged)', () => {
  it('matches the eager window and ring under random sequence numbers, copies, resets, growth and recycling', () => {
    for (const clearTq of [true, false]) {
      const rng = seededRandom(clearTq ? 7 : 8);
      const table = new CandidateTable(clearTq);
      // Rows of the table by originator id, and the eager model of each.
      const rows = new Map<number, number>();
      const eager = new Map<number, EagerOriginator>();
      const cellOf = (id: number, k: number): number => table.cell(rows.get(id)!, k);
      for (let step = 0; step < 10_000; step++) {
        const id = rng.int(12);
        // Neighbour slots grow past the initial stride of 4 (a re-layout of every row).
        const k = rng.int(step < 2000 ? 3 : 11);
        if (!rows.has(id)) {
          rows.set(id, table.addOriginator());
          eager.set(id, new Map());
        }
        table.ensureNeighbourSlot(k);
        const orig = eager.get(id)!;
        if (!orig.has(k)) {
          table.add(rows.get(id)!, k, step, id);
          orig.set(k, new Eager());
        }
        const lazy = cellOf(id, k);
        const e = orig.get(k)!;
        const op = rng.next();
        if (op < 0.4) {
          // a new sequence number `diff` ahead, first heard through neighbour k
          const diff = 1 + (rng.next() < 0.1 ? rng.int(80) : 0);
          table.advance(rows.get(id)!, diff);
          for (const x of orig.values()) {
            x.window.shift(diff);
            x.span = Math.min(64, x.span + diff);
          }
          table.setAge(lazy, 0);
          e.window.set(0);
          const tq = rng.int(256);
          table.pushTq(lazy, tq, true);
          for (const [j, x] of orig) x.push(j === k ? tq : 0);
        } else if (op < 0.8) {
          // a duplicate copy of an older sequence number through neighbour k
          const age = rng.int(70);
          table.setAge(lazy, age);
          e.window.set(age);
          const tq = rng.int(256);
          table.pushTq(lazy, tq, false);
          e.push(tq);
        } else if (op < 0.83) {
          // the originator rebooted
          table.reset(rows.get(id)!);
          for (const x of orig.values()) {
            x.window.clear();
            x.span = 0;
            if (clearTq) x.ring.fill(0);
          }
        } else if (op < 0.85) {
          table.clearRing(lazy);
          e.ring.fill(0);
        } else if (op < 0.87) {
          // purged: the candidate, and with the originator's last one the row (recycled)
          table.remove(lazy);
          orig.delete(k);
          expect(table.present(cellOf(id, k))).toBe(false);
          if (orig.size === 0) {
            table.removeOriginator(rows.get(id)!);
            rows.delete(id);
            eager.delete(id);
          }
        }
        // Check one candidate of one originator, not necessarily the one just touched.
        const checkId = [...eager.keys()][rng.int(eager.size)];
        if (checkId === undefined) continue;
        const slots = [...eager.get(checkId)!.keys()];
        const j = slots[rng.int(slots.length)]!;
        const c = cellOf(checkId, j);
        const x = eager.get(checkId)!.get(j)!;
        expect(table.present(c)).toBe(true);
        expect(table.slotOf(c)).toBe(j);
        expect(table.tqAvg(c)).toBe(ringAverage(x.ring));
        expect(table.count(c)).toBe(x.window.count());
        expect(table.span(c)).toBe(x.span);
        const n = rng.int(66);
        expect(table.anyWithin(c, n)).toBe(x.window.anyWithin(n));
        expect(table.countWithin(c, n)).toBe(x.window.countWithin(n));
        expect(table.has(c, n)).toBe(x.window.has(n));
      }
      // Neighbour slots grew the stride from 4 to 16: every row was re-laid twice.
      expect(table.cell(0, 0)).toBe(0);
      expect(table.cell(1, 0)).toBeGreaterThanOrEqual(16);
    }
  });

  it('ages a cell across the 2^32 wrap of the 32-bit clocks a record keeps', () => {
    const table = new CandidateTable(true);
    const o = table.addOriginator();
    // The originator's clock (slot 0: sequence-number position, 1: new sequence numbers) just
    // below 2^32, as after about 2^26 moves of 64: a cell stores them modulo 2^32.
    table.records.f64[0] = 2 ** 32 - 3;
    table.records.f64[1] = 2 ** 32 - 2;
    const c = table.add(o, 0, 0, 9);
    const other = table.add(o, 1, 0, 9);
    table.setAge(c, 0);
    table.pushTq(c, 200, true);
    table.advance(o, 5);
    table.setAge(other, 0);
    table.pushTq(other, 100, true);
    table.pushTq(other, 50, false);
    expect(table.records.f64[0]).toBeGreaterThan(2 ** 32);
    expect(table.has(c, 5)).toBe(true);
    expect(table.count(c)).toBe(1);
    expect(table.span(c)).toBe(5);
    // One 0 owed by `c` for the new sequence number heard through `other`; zeros do not count.
    expect(table.tqAvg(c)).toBe(200);
    expect(table.tqAvg(other)).toBe(75);
    expect(table.prevSender(c)).toBe(9);
  });
});
