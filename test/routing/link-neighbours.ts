/**
 * An engine at address 1 that has heard its link neighbours 2 and 3 both ways (each echoed its
 * first OGM and sent one of its own), ready to be fed a distant originator's OGMs by hand: the
 * start of the engine tests that follow single decisions frame by frame.
 *
 * @example
 * const { e, now } = engineWithLinkNeighbours({ clearStaleTq: true });
 * e.receive(encodeOgmFrame([ogmOf9]), 2, now + 1);
 */
import { seededRandom } from '../../src/core/random.ts';
import { BatmanEngine } from '../../src/routing/batman-engine.ts';
import type { BatmanOptions } from '../../src/routing/batman-options.ts';
import {
  decodeOgmFrame,
  encodeOgmFrame,
  FLAG_DIRECTLINK,
  type Ogm,
} from '../../src/routing/ogm-codec.ts';

/** The engine, and the time of the last frame it received. */
export function engineWithLinkNeighbours(options: Partial<BatmanOptions>): {
  e: BatmanEngine;
  now: number;
} {
  const e = new BatmanEngine({ ...options, address: 1, random: seededRandom(1) }, 0);
  let now = e.nextDeadline();
  const own = decodeOgmFrame(e.tick(now).frames[0]!.bytes)[0]!;
  for (const n of [2, 3]) {
    const echo: Ogm = { ...own, ttl: own.ttl - 1, flags: FLAG_DIRECTLINK, prevSender: 1 };
    const hello: Ogm = { ttl: 50, flags: 0, seqno: 100, originator: n, prevSender: n, tq: 255 };
    e.receive(encodeOgmFrame([echo, hello]), n, ++now);
  }
  return { e, now };
}
