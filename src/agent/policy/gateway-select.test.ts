import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import { GatewayAnnouncer } from './gateway-announce.ts';
import { GatewaySelector, type GatewayCandidate } from './gateway-select.ts';

const gw = (
  originator: string,
  tq: number,
  down = 10_000,
  healthy?: boolean,
): GatewayCandidate => ({
  originator,
  tq,
  bandwidthDownKbit: down,
  bandwidthUpKbit: 1_000,
  healthy,
});

describe('GatewaySelector', () => {
  it('late switch (default 20): only switches for 20 TQ points more', () => {
    const s = new GatewaySelector({ node: 'n1' });
    expect(s.select([gw('a', 200), gw('b', 150)], 0).gateway?.originator).toBe('a');
    expect(s.select([gw('a', 180), gw('b', 199)], 1).gateway?.originator).toBe('a');
    const sw = s.select([gw('a', 180), gw('b', 200)], 2);
    expect(sw.gateway?.originator).toBe('b');
    expect(sw.events[0]).toMatchObject({
      kind: 'gateway-select',
      from: 'a',
      to: 'b',
      reason: "TQ 200 beats a's 180 by 20 (switch margin 20)",
    });
  });

  it('fast-switch follows the best TQ; stable keeps its choice', () => {
    const fast = new GatewaySelector({ node: 'n1', selClass: 'fast-switch' });
    const stable = new GatewaySelector({ node: 'n1', selClass: 'stable' });
    for (const s of [fast, stable]) s.select([gw('a', 200), gw('b', 150)], 0);
    expect(fast.select([gw('a', 200), gw('b', 201)], 1).gateway?.originator).toBe('b');
    expect(stable.select([gw('a', 100), gw('b', 250)], 1).gateway?.originator).toBe('a');
  });

  it('fast class weighs TQ² by bandwidth', () => {
    const s = new GatewaySelector({ node: 'n1', selClass: 'fast' });
    // 200² × 10 000 = 4e8 < 150² × 50 000 = 1.125e9
    expect(s.select([gw('a', 200, 10_000), gw('b', 150, 50_000)], 0).gateway?.originator).toBe('b');
  });

  it('drops a gateway that announces itself unhealthy or disappears, and says so', () => {
    const s = new GatewaySelector({ node: 'n1' });
    s.select([gw('a', 200), gw('b', 100)], 0);
    const r = s.select([gw('a', 200, 10_000, false), gw('b', 100)], 1);
    expect(r.gateway?.originator).toBe('b');
    expect(r.events[0]!.reason).toBe(
      'a not eligible any more (announces its own WANs down); best of 1 eligible by TQ: b TQ 100, 10000/1000 kbit/s',
    );
    const none = s.select([gw('c', 90, 0)], 2);
    expect(none.gateway).toBeNull();
    expect(none.events[0]).toMatchObject({
      from: 'b',
      to: null,
      reason:
        'b gone (not among the 1 heard: c TQ 90); no eligible gateway among the 1 heard: c (announces no download bandwidth)',
    });
  });

  it('a node that serves itself releases its gateway saying so, not that the gateway is gone', () => {
    // Seen in the demo: n5's WAN came back, its agent emptied the table, and the timeline read
    // "n23 gone; no eligible gateway among 0" while n23 was alive and well.
    const s = new GatewaySelector({ node: 'n5' });
    s.select([gw('n23', 200), gw('n0', 150)], 0);
    const r = s.select([], 1, 'this node serves itself: it announces its own WANs');
    expect(r.gateway).toBeNull();
    expect(r.events[0]).toMatchObject({
      from: 'n23',
      to: null,
      reason: 'n23 released: this node serves itself: it announces its own WANs',
    });
    expect(r.events[0]!.reason).not.toMatch(/gone/);
  });

  it('switches for a better TQ only once it stayed ahead by the margin for the hold time', () => {
    const s = new GatewaySelector({ node: 'n1', switchHoldMs: 10_000 });
    s.select([gw('a', 160), gw('b', 150)], 0);
    // TQ noise: b is 20 ahead for a moment, then not, then again; never for 10 s in a row.
    for (const [t, tb] of [
      [500, 180],
      [6_000, 185],
      [9_000, 170],
      [12_000, 181],
      [20_000, 190],
    ] as const) {
      expect(s.select([gw('a', 160), gw('b', tb)], t).events).toEqual([]);
    }
    const sw = s.select([gw('a', 160), gw('b', 182)], 22_000);
    expect(sw.gateway?.originator).toBe('b');
    expect(sw.events[0]!.reason).toBe(
      "TQ 182 beats a's 160 by 22 (switch margin 20), ahead by the margin for 10 s",
    );
  });

  it('every reason quotes the table it was decided on', () => {
    // Random tables through one selector; each event's numbers must be those of its table.
    const random = seededRandom(7);
    const rnd = (n: number) => random.int(n);
    const s = new GatewaySelector({ node: 'n1', switchHoldMs: 1_000 });
    let checked = 0;
    for (let t = 0; t < 400; t++) {
      const table = ['a', 'b', 'c', 'd']
        .filter(() => rnd(4) > 0)
        .map((o) =>
          gw(o, rnd(5) === 0 ? 0 : 100 + rnd(150), rnd(8) === 0 ? 0 : 10_000, rnd(8) !== 0),
        );
      const eligible = table.filter((c) => c.tq > 0 && c.bandwidthDownKbit > 0 && c.healthy);
      for (const e of s.select(table, t * 500).events) {
        checked++;
        const among = /no eligible gateway among (?:the )?(\d+) heard/.exec(e.reason);
        if (among) expect(Number(among[1]), e.reason).toBe(table.length);
        const best = /best of (\d+) eligible by TQ: (\w+) TQ (\d+)/.exec(e.reason);
        if (best) {
          expect(Number(best[1]), e.reason).toBe(eligible.length);
          expect(table.find((c) => c.originator === best[2])?.tq, e.reason).toBe(Number(best[3]));
        }
        const gone = /^(\w+) gone/.exec(e.reason);
        if (gone)
          expect(
            table.map((c) => c.originator),
            e.reason,
          ).not.toContain(gone[1]);
        const beats = /^TQ (\d+) beats (\w+)'s (\d+)/.exec(e.reason);
        if (beats) {
          expect(table.find((c) => c.originator === e.to)?.tq, e.reason).toBe(Number(beats[1]));
          expect(table.find((c) => c.originator === beats[2])?.tq, e.reason).toBe(Number(beats[3]));
        }
        expect(among ?? best ?? beats, e.reason).not.toBeNull();
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('rejects malformed candidates without changing its choice', () => {
    const s = new GatewaySelector({ node: 'n1' });
    s.select([gw('a', 200)], 0);
    expect(() => s.select([gw('b', 300)], 1)).toThrow(
      expect.objectContaining({ name: 'InvalidGatewayCandidateError' }),
    );
    expect(s.selected?.originator).toBe('a');
  });
});

describe('GatewayAnnouncer', () => {
  it('announces iff a WAN is usable, with the sum of usable capacities', () => {
    const a = new GatewayAnnouncer({ node: 'n1' });
    const wans = (u1: boolean, u2: boolean) => [
      { wan: 'wan', usable: u1, bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 },
      { wan: 'lte', usable: u2, bandwidthDownKbit: 20_000, bandwidthUpKbit: 5_000 },
    ];
    expect(a.decide(wans(true, true), 0).announcement).toEqual({
      mode: 'server',
      bandwidthDownKbit: 70_000,
      bandwidthUpKbit: 15_000,
    });
    const one = a.decide(wans(false, true), 1);
    expect(one.announcement).toEqual({
      mode: 'server',
      bandwidthDownKbit: 20_000,
      bandwidthUpKbit: 5_000,
    });
    expect(one.events[0]).toMatchObject({
      from: 'server 70 / 15 Mbit/s',
      to: 'server 20 / 5 Mbit/s',
    });
    const off = a.decide(wans(false, false), 2);
    expect(off.announcement).toEqual({ mode: 'off' });
    expect(off.events[0]).toMatchObject({
      kind: 'gateway-announce',
      to: 'off',
      reason: 'no usable WAN among wan, lte',
    });
    expect(a.decide(wans(false, false), 3).events).toEqual([]);
  });
});
