import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { CandidateTable } from './candidate.ts';
import { NO_ROUTER, OriginatorRecords } from './originator-record.ts';

/** The plain-object model the records replace. */
interface Model {
  hasSeqno: boolean;
  lastSeqno: number;
  lastSeqnoAt: number;
  lastSeen: number;
  lastTtl: number;
  router: number;
  lastForwarded: number;
  gateway: boolean;
}

const fresh = (now: number): Model => ({
  hasSeqno: false,
  lastSeqno: 0,
  lastSeqnoAt: now,
  lastSeen: now,
  lastTtl: 0,
  router: NO_ROUTER,
  lastForwarded: -1,
  gateway: false,
});

function read(r: OriginatorRecords, o: number, seqno: number): unknown {
  return {
    hasSeqno: r.hasSeqno(o),
    lastSeqno: r.lastSeqno(o),
    lastSeqnoAt: r.lastSeqnoAt(o),
    lastSeen: r.lastSeen(o),
    lastTtl: r.lastTtl(o),
    router: r.router(o),
    forwarded: r.forwarded(o, seqno),
    gateway: r.hasGateway(o),
  };
}

function expected(m: Model, seqno: number): unknown {
  const { lastForwarded, ...rest } = m;
  return { ...rest, forwarded: lastForwarded === seqno };
}

describe('OriginatorRecords', () => {
  it('keeps every row as the object model does, through growth, removal and reuse', () => {
    const rng = seededRandom(3);
    const r = new OriginatorRecords();
    const live = new Map<number, Model>();
    const seqnos = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
    for (let step = 0; step < 5_000; step++) {
      const now = step + rng.next();
      const op = rng.next();
      if (live.size === 0 || op < 0.08) {
        const o = r.add(now);
        // A recycled row starts fresh, whatever its previous owner left.
        expect(live.has(o)).toBe(false);
        live.set(o, fresh(now));
        continue;
      }
      const rows = [...live.keys()];
      const o = rows[rng.int(rows.length)]!;
      const m = live.get(o)!;
      const seqno = (seqnos[rng.int(seqnos.length)]! ^ rng.int(4)) >>> 0;
      if (op < 0.12) {
        r.remove(o);
        live.delete(o);
      } else if (op < 0.3) {
        r.setSeqno(o, seqno, now);
        Object.assign(m, { hasSeqno: true, lastSeqno: seqno, lastSeqnoAt: now });
      } else if (op < 0.4) {
        r.setLastSeen(o, now);
        m.lastSeen = now;
      } else if (op < 0.5) {
        const ttl = rng.int(256);
        r.setLastTtl(o, ttl);
        m.lastTtl = ttl;
      } else if (op < 0.6) {
        const slot = rng.int(40) - 1;
        r.setRouter(o, slot);
        m.router = slot;
      } else if (op < 0.75) {
        r.setForwarded(o, seqno);
        m.lastForwarded = seqno;
      } else if (op < 0.8) {
        r.clearForwarded(o);
        m.lastForwarded = -1;
      } else if (op < 0.9) {
        const on = rng.next() < 0.5;
        r.setHasGateway(o, on);
        m.gateway = on;
      }
      if (live.has(o)) expect(read(r, o, seqno)).toEqual(expected(m, seqno));
      // Now and then every live row: a write must not spill into another row.
      if (step % 500 === 0) {
        for (const [row, model] of live) {
          const probe = model.lastForwarded >= 0 ? model.lastForwarded : seqno;
          expect(read(r, row, probe)).toEqual(expected(model, probe));
        }
      }
    }
    expect(r.size).toBeGreaterThan(8); // it grew past its first buffer
  });

  it('never takes a forwarded -1 for sequence number 0xffffffff', () => {
    const r = new OriginatorRecords();
    const o = r.add(0);
    expect(r.forwarded(o, 0xffffffff)).toBe(false);
    expect(r.forwarded(o, 0)).toBe(false);
    r.setForwarded(o, 0xffffffff);
    expect(r.forwarded(o, 0xffffffff)).toBe(true);
    r.clearForwarded(o);
    expect(r.forwarded(o, 0xffffffff)).toBe(false);
  });

  it('shares each record with the candidate clock without either disturbing the other', () => {
    const table = new CandidateTable(true);
    const r = table.records;
    const o = table.addOriginator(5);
    table.ensureNeighbourSlot(2);
    const c = table.add(o, 2, 5, 9);
    r.setSeqno(o, 0xdeadbeef, 6.5);
    r.setRouter(o, 2);
    r.setLastTtl(o, 49);
    r.setForwarded(o, 0xdeadbeef);
    r.setHasGateway(o, true);
    table.setAge(c, 0);
    table.pushTq(c, 200, true);
    // The clock moves on (sequence numbers, zeros owed, a reset) ...
    table.advance(o, 3);
    table.pushTq(c, 100, true);
    table.reset(o);
    table.advance(o, 2);
    expect(read(r, o, 0xdeadbeef)).toEqual({
      hasSeqno: true,
      lastSeqno: 0xdeadbeef,
      lastSeqnoAt: 6.5,
      lastSeen: 5,
      lastTtl: 49,
      router: 2,
      forwarded: true,
      gateway: true,
    });
    // ... and the route state's writes leave the cell's view of the clock as it was.
    r.setSeqno(o, 1, 7);
    r.setRouter(o, NO_ROUTER);
    r.clearForwarded(o);
    r.setHasGateway(o, false);
    expect({ tq: table.tqAvg(c), span: table.span(c), has: table.has(c, 2) }).toEqual({
      tq: 0, // clearStaleTq: the reset cleared the ring
      span: 2,
      has: false,
    });
  });
});
