import { describe, expect, it } from 'vitest';
import { engineWithLinkNeighbours } from '../../test/routing/link-neighbours.ts';
import { encodeOgmFrame } from './ogm-codec.ts';

/**
 * Engine 1 with link neighbours 2 and 3 (both bidirectional), fed copies of a distant
 * originator 9's OGMs by hand: who relayed each copy, and through whom (prevSender).
 */
function engineWithTwoNeighbours(clearStaleTq: boolean) {
  const { e, now: start } = engineWithLinkNeighbours({ clearStaleTq });
  let now = start;
  /** A copy of 9's OGM `seqno`, relayed by `from`, which got it from `via`. */
  const copy = (from: number, seqno: number, tq: number, via = 9): void => {
    e.receive(
      encodeOgmFrame([{ ttl: 48, flags: 0, seqno, originator: 9, prevSender: via, tq }]),
      from,
      ++now,
    );
  };
  return { e, copy };
}

describe('a neighbour that left its path (clearStaleTq)', () => {
  it('is not picked on the TQ of the path it left once its copy shows it routes through our next hop', () => {
    for (const clearStaleTq of [true, false]) {
      const { e, copy } = engineWithTwoNeighbours(clearStaleTq);
      copy(2, 500, 220);
      copy(3, 500, 210); // 3 has a path of its own, nearly as good
      expect(e.nextHop(9)).toBe(2);
      copy(2, 501, 220);
      copy(3, 501, 190, 2); // 3 now routes through 2: the loop guard drops this copy
      copy(2, 502, 40); // the path through 2 got much worse: the route is re-picked
      // 3's 210 describes the path it left (after a death, a dead one): taking it loops.
      expect(e.nextHop(9)).toBe(clearStaleTq ? 2 : 3);
    }
  });

  it('leaves a next hop at once when its copy comes back through us', () => {
    for (const clearStaleTq of [true, false]) {
      const { e, copy } = engineWithTwoNeighbours(clearStaleTq);
      copy(2, 500, 180);
      copy(3, 500, 240);
      expect(e.nextHop(9)).toBe(3);
      copy(2, 501, 180);
      copy(3, 501, 160, 1); // 3 forwards what we forwarded: it routes through us, we through it
      expect(e.nextHop(9)).toBe(clearStaleTq ? 2 : 3);
    }
  });
});
