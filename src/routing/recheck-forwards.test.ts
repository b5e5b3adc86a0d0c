import { describe, expect, it } from 'vitest';
import { engineWithLinkNeighbours } from '../../test/routing/link-neighbours.ts';
import { decodeOgmFrame, encodeOgmFrame, type Ogm } from './ogm-codec.ts';

/**
 * Engine 1 with link neighbours 2 and 3, both bidirectional (each echoed 1's first OGM), fed
 * OGMs of a distant originator 9 by hand, so the forward decision is seen frame by frame.
 */
function engineWithTwoNeighbours(recheckForwards: boolean) {
  const { e, now: start } = engineWithLinkNeighbours({ recheckForwards });
  let now = start;
  const from9 = (seqno: number, tq: number) =>
    encodeOgmFrame([{ ttl: 48, flags: 0, seqno, originator: 9, prevSender: 9, tq }]);
  /** Runs the engine until its queued frames left; returns the forwards of 9's OGMs. */
  const flush = (): Ogm[] => {
    const out: Ogm[] = [];
    for (let i = 0; i < 5; i++) {
      now = Math.max(now, e.nextDeadline());
      for (const f of e.tick(now).frames)
        out.push(...decodeOgmFrame(f.bytes).filter((o) => o.originator === 9));
    }
    return out;
  };
  return { e, from9, flush, now: () => ++now };
}

describe('recheckForwards (our addition)', () => {
  it('forwards the copy of the neighbour the route moved to while the forward waited', () => {
    const { e, from9, flush, now } = engineWithTwoNeighbours(true);
    e.receive(from9(500, 150), 2, now());
    expect(e.nextHop(9)).toBe(2);
    e.receive(from9(500, 255), 3, now()); // same sequence number, better: route moves to 3
    expect(e.nextHop(9)).toBe(3);
    const sent = flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ seqno: 500, prevSender: 3 });
  });

  it('drops a waiting forward when the route moved away on a newer sequence number', () => {
    const { e, from9, flush, now } = engineWithTwoNeighbours(true);
    e.receive(from9(500, 150), 2, now());
    e.receive(from9(501, 255), 3, now()); // newer, better through 3
    expect(e.nextHop(9)).toBe(3);
    expect(flush().map((o) => [o.seqno, o.prevSender])).toEqual([[501, 3]]);
  });

  it('off, it sends the forward as queued, naming the next hop it no longer uses', () => {
    const { e, from9, flush, now } = engineWithTwoNeighbours(false);
    e.receive(from9(500, 150), 2, now());
    e.receive(from9(500, 255), 3, now());
    expect(e.nextHop(9)).toBe(3);
    expect(flush().map((o) => [o.seqno, o.prevSender])).toEqual([[500, 2]]);
  });
});
