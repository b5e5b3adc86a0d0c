import { describe, expect, it } from 'vitest';
import { FlowMetrics } from './metrics.ts';

describe('FlowMetrics', () => {
  it('counts a packet delivered once, however often it arrives, and not one never sent', () => {
    const m = new FlowMetrics();
    m.sent(0, 0, 1000);
    m.sent(0, 1, 1200);
    m.sent(3, 0, 1500);
    m.delivered(0, 0, 1010);
    m.delivered(0, 0, 1020); // a duplicate
    m.delivered(3, 0, 2600);
    m.delivered(2, 0, 2700); // a flow that sent nothing
    m.delivered(0, 7, 2800); // a sequence number never sent
    expect([m.sentTotal, m.deliveredTotal]).toEqual([3, 2]);
    expect(m.pdr()).toBeCloseTo(2 / 3, 12);
    expect([m.latencyPercentile(50), m.latencyPercentile(99)]).toEqual([10, 1100]);
    expect(m.pdrSeries(3)).toEqual([null, 2 / 3, null]);
  });

  it('measures a packet sent again from its last send, and keeps flows apart', () => {
    const m = new FlowMetrics();
    m.sent(1, 5, 100);
    m.sent(1, 5, 300);
    m.sent(2, 5, 200);
    m.delivered(1, 5, 350);
    m.delivered(2, 5, 260);
    expect([m.latencyPercentile(0), m.latencyPercentile(100)]).toEqual([50, 60]);
    expect([m.sentTotal, m.deliveredTotal]).toEqual([3, 2]);
  });

  it('keeps a sequence number beyond the array index range', () => {
    const m = new FlowMetrics();
    m.sent(0, 0xffffffff, 10);
    m.delivered(0, 0xffffffff, 15);
    m.delivered(0, 0xffffffff, 16);
    expect([m.deliveredTotal, m.latencyPercentile(50)]).toEqual([1, 5]);
  });
});
