import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { BatmanEngine } from './batman-engine.ts';
import { decodeOgmFrame, encodeOgmFrame, FLAG_DIRECTLINK, type Ogm } from './ogm-codec.ts';

/**
 * Engine 1 just booted, with link neighbour 2 not yet confirmed: 2 relays copies of distant
 * originators (9, 7) before it has echoed our first OGM and sent one of its own, which is
 * what a booting node hears in its first second.
 */
function booting(holdEarlyOgms: boolean) {
  const e = new BatmanEngine({ address: 1, random: seededRandom(5), holdEarlyOgms }, 0);
  let now = 0;
  const sent: Ogm[] = [];
  const send = (from: number, ogms: Ogm[], at: number): void => {
    now = at;
    for (const f of e.receive(encodeOgmFrame(ogms), from, now).frames)
      sent.push(...decodeOgmFrame(f.bytes));
  };
  /** A copy of `orig`'s OGM `seqno` relayed by 2, which got it from 8. */
  const far = (orig: number, seqno: number, at: number): void =>
    send(2, [{ ttl: 45, flags: 0, seqno, originator: orig, prevSender: 8, tq: 160 }], at);
  /** 2 echoes our first OGM and sends its own: from now on we can route to 2. */
  const confirm = (at: number): void => {
    now = Math.max(now, e.nextDeadline());
    const own = decodeOgmFrame(e.tick(now).frames[0]!.bytes)[0]!;
    const echo: Ogm = { ...own, ttl: own.ttl - 1, flags: FLAG_DIRECTLINK, prevSender: 1 };
    send(2, [echo], Math.max(at - 1, now));
    send(2, [{ ttl: 50, flags: 0, seqno: 100, originator: 2, prevSender: 2, tq: 255 }], at);
  };
  return { e, far, confirm, sent };
}

describe('copies relayed before the link was confirmed (holdEarlyOgms)', () => {
  it('give a first route as soon as the link is confirmed; batman-adv waits for the next sequence number', () => {
    for (const hold of [true, false]) {
      const { e, far, confirm } = booting(hold);
      far(9, 500, 100); // before we can route to 2: batman-adv drops it
      expect(e.nextHop(9)).toBeUndefined();
      confirm(400);
      expect(e.nextHop(2)).toBe(2);
      expect(e.nextHop(9)).toBe(hold ? 2 : undefined);
      far(9, 501, 1100); // the next one, if it comes at all, routes either way
      expect(e.nextHop(9)).toBe(2);
    }
  });

  it('routes with the TQ the copy would have had over the confirmed link', () => {
    const { e, far, confirm } = booting(true);
    far(9, 500, 100);
    confirm(400);
    const row = e.originatorsJson(400).find((r) => r.orig_address === '02:00:00:00:00:09');
    // 160 through a perfect link (one OGM of 2 seen, one echo back): no loss of TQ
    expect(row?.tq).toBe(160);
  });

  it('keeps only the newest copy per originator and never forwards one', () => {
    const { e, far, confirm, sent } = booting(true);
    far(9, 500, 100);
    far(9, 501, 200);
    far(7, 40, 250);
    confirm(400);
    expect(e.nextHop(9)).toBe(2);
    expect(e.nextHop(7)).toBe(2);
    const row = e.originatorsJson(400).find((r) => r.orig_address === '02:00:00:00:00:09');
    expect(row?.tq).toBe(160);
    // what we send: our own OGMs and the DIRECTLINK echo of 2's; no copy of 9 or 7
    const frames = [...sent, ...e.tick(2000).frames.flatMap((f) => decodeOgmFrame(f.bytes))];
    expect(frames.some((o) => o.originator === 9 || o.originator === 7)).toBe(false);
  });

  it('drops a copy more than one interval old when the link is confirmed', () => {
    const { e, far, confirm } = booting(true);
    far(9, 500, 100);
    confirm(1200); // 1.1 s later: 9's next sequence number is due, this one is old news
    expect(e.nextHop(2)).toBe(2);
    expect(e.nextHop(9)).toBeUndefined();
  });
});
