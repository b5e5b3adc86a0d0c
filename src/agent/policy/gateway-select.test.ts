import { describe, expect, it } from 'vitest';
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
      'a not eligible any more; best by TQ: b TQ 100, 10000/1000 kbit/s',
    );
    const none = s.select([gw('c', 90, 0)], 2);
    expect(none.gateway).toBeNull();
    expect(none.events[0]).toMatchObject({
      from: 'b',
      to: null,
      reason: 'b gone; no eligible gateway among 1',
    });
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
