import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../core/events.ts';
import { seededRandom } from '../core/random.ts';
import { BatmanEngine } from './batman-engine.ts';
import { decodeOgmFrame, encodeOgmFrame, FLAG_DIRECTLINK, type Ogm } from './ogm-codec.ts';

/**
 * Engine 1 between link neighbours 2 and 3, both direct neighbours of originator 4 (2's path
 * is better), fed by hand with what a burst rhythm looks like: every interval each neighbour
 * sends one frame with its own OGM, its echo of our latest OGM and its relay of 4's own OGM;
 * 2 then forwards a distant originator's copies every 40 ms for `burstMs`, and pauses until
 * its next interval. `stopAt`: 2 sends nothing from then on (it died).
 */
function burstyNeighbour(burstMs: (interval: number) => number, stopAt = Infinity) {
  const e = new BatmanEngine({ address: 1, random: seededRandom(3) }, 0);
  const events: MeshEvent[] = [];
  const inbox: Array<{ at: number; from: number; ogms: Ogm[] }> = [];
  let ownSeqno = 0;
  let now = 0;
  const tick = (t: number): void => {
    const out = e.tick(t);
    events.push(...out.events);
    for (const f of out.frames) {
      const own = decodeOgmFrame(f.bytes).find((o) => o.originator === 1);
      if (own) ownSeqno = own.seqno;
    }
  };
  const relayed = (orig: number, seqno: number, tq: number): Ogm => ({
    ttl: 49,
    flags: FLAG_DIRECTLINK,
    seqno,
    originator: orig,
    prevSender: orig,
    tq,
  });
  const schedule = (k: number): void => {
    const t0 = k * 1000 + 10;
    for (const [n, tq4] of [
      [2, 255],
      [3, 200],
    ] as const) {
      const start = t0 + (n === 3 ? 5 : 0);
      if (n === 2 && start >= stopAt) continue;
      inbox.push({
        at: start,
        from: n,
        ogms: [
          { ttl: 50, flags: 0, seqno: 1000 + k, originator: n, prevSender: n, tq: 255 },
          relayed(4, 2000 + k, tq4),
        ],
      });
    }
    for (let t = t0 + 40; t <= t0 + burstMs(k) && t < stopAt; t += 40) {
      inbox.push({
        at: t,
        from: 2,
        ogms: [{ ttl: 46, flags: 0, seqno: 3000 + k, originator: 9, prevSender: 8, tq: 150 }],
      });
    }
  };
  const runUntil = (end: number): void => {
    while (now < end) {
      inbox.sort((a, b) => a.at - b.at);
      const next = Math.min(e.nextDeadline(), inbox[0]?.at ?? Infinity, end);
      now = next;
      if (e.nextDeadline() <= now) tick(now);
      while (inbox[0] && inbox[0].at <= now) {
        const f = inbox.shift()!;
        // The echo of our newest OGM rides in each neighbour's interval frame.
        const ogms =
          f.ogms[0]!.originator === f.from && ownSeqno > 0
            ? [...f.ogms, relayed(1, ownSeqno, 255)]
            : f.ogms;
        events.push(...e.receive(encodeOgmFrame(ogms), f.from, now).events);
      }
    }
  };
  for (let k = 0; k < 200; k++) schedule(k);
  return { e, events, runUntil };
}

const lossOf2 = (events: MeshEvent[], after = 0): MeshEvent[] =>
  events.filter((ev) => ev.at >= after && /next hop 2 silent/.test(ev.reason));

describe('neighbour-loss detection (neighbourLossFactor)', () => {
  it('does not declare lost a neighbour that pauses longer than before but keeps its OGMs on time', () => {
    // 30 intervals of 700 ms bursts (300 ms pauses), then 440 ms bursts: 560 ms of silence,
    // over the half-interval floor and 1.5 times the pause the neighbour had taught us. The
    // detector that judged by time alone declared 2 lost there and moved the route to 3.
    const { e, events, runUntil } = burstyNeighbour((k) => (k < 30 ? 700 : 440));
    runUntil(120_000);
    expect(e.nextHop(4)).toBe(2);
    expect(lossOf2(events)).toEqual([]);
    expect(events.filter((ev) => ev.at > 10_000 && ev.subject === '4')).toEqual([]);
  });

  it('still declares a dead neighbour lost once an OGM it owed is overdue', () => {
    // 2 dies 440 ms into its interval at 60 s, right after its burst: its own OGM of 60.01 s
    // came, the one of 61.01 s does not.
    const stopAt = 60_450;
    const { e, events, runUntil } = burstyNeighbour(() => 440, stopAt);
    runUntil(59_000);
    expect(e.nextHop(4)).toBe(2);
    runUntil(63_000);
    const [lost] = lossOf2(events, stopAt).filter((ev) => ev.subject === '4');
    expect(lost?.to).toBe('3');
    // Due at 61.01 s + 20 ms jitter + 50 ms transit slack: about 0.63 s after the death,
    // long before the relay-freshness rule (2 missed sequence numbers) would act.
    expect(lost!.at - stopAt).toBeGreaterThan(500);
    expect(lost!.at - stopAt).toBeLessThan(700);
  });
});
