import { describe, expect, it } from 'vitest';
import { TrafficRates } from './traffic-rates.ts';

describe('TrafficRates', () => {
  it('gives bit/s between two reports of the same WAN, per direction', () => {
    const r = new TrafficRates();
    expect(r.update('n1', 'wan', 10_000, 1_000, 500)).toEqual([]);
    expect(r.update('n1', 'wan', 20_000, 126_000, 2_500)).toEqual([
      { direction: 'rx', bps: 100_000 },
      { direction: 'tx', bps: 1_600 },
    ]);
  });

  it('keeps nodes and WANs apart', () => {
    const r = new TrafficRates();
    r.update('n1', 'wan', 0, 0, 0);
    expect(r.update('n2', 'wan', 1_000, 1_000, 1_000)).toEqual([]);
    expect(r.update('n1', 'lte', 1_000, 1_000, 1_000)).toEqual([]);
    expect(r.update('n1', 'wan', 1_000, 1_000, 0)).toEqual([
      { direction: 'rx', bps: 8_000 },
      { direction: 'tx', bps: 0 },
    ]);
  });

  it('starts over when a counter goes backwards, and ignores reports out of order', () => {
    const r = new TrafficRates();
    r.update('n1', 'wan', 1_000, 5_000_000, 100);
    expect(r.update('n1', 'wan', 2_000, 10, 200)).toEqual([{ direction: 'tx', bps: 800 }]);
    expect(r.update('n1', 'wan', 1_500, 999, 999)).toEqual([]);
    expect(r.update('n1', 'wan', 3_000, 1_010, 200)).toEqual([
      { direction: 'rx', bps: 8_000 },
      { direction: 'tx', bps: 0 },
    ]);
  });

  it('yields nothing for a WAN that reports no counters', () => {
    const r = new TrafficRates();
    expect(r.update('n1', 'wan', 1_000)).toEqual([]);
    expect(r.update('n1', 'wan', 2_000)).toEqual([]);
  });

  it('keeps the latest rate of each WAN, dated', () => {
    const r = new TrafficRates();
    expect(r.current('gw')).toEqual({});
    r.update('gw', 'wan', 10_000, 0, 0);
    r.update('gw', 'wan', 20_000, 125_000, 12_500);
    r.update('gw', 'lte', 20_000, 0);
    r.update('gw', 'lte', 30_000, 1_250);
    expect(r.current('gw')).toEqual({
      wan: { at: 20_000, rx_bps: 100_000, tx_bps: 10_000 },
      lte: { at: 30_000, rx_bps: 1_000, tx_bps: null },
    });
  });
});
