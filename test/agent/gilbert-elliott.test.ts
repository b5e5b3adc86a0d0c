import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { simulateFalseFailovers } from '../../bench/failover-sim.ts';
import { GilbertElliott, meanLoss } from '../../bench/gilbert-elliott.ts';

const tracker = { targets: ['x'], intervalMs: 50, timeoutMs: 50, down: 12, up: 10 };

describe('Gilbert-Elliott channel', () => {
  it('loses about its mean loss, in bursts', () => {
    const p = { meanGoodMs: 450, meanBadMs: 50, lossGood: 0.01, lossBad: 0.9 };
    const ge = new GilbertElliott(p, seededRandom(5), 0);
    let lost = 0;
    let runs = 0;
    let prev = false;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const l = ge.lost(i * 10);
      if (l) lost++;
      if (l && !prev) runs++;
      prev = l;
    }
    expect(meanLoss(p)).toBeCloseTo(0.099, 3);
    expect(Math.abs(lost / n - meanLoss(p))).toBeLessThan(0.01);
    // Independent loss at 10 % would start a new run at ~90 % of losses; bursts start far fewer.
    expect(runs / lost).toBeLessThan(0.5);
  });
});

describe('false-failover simulation', () => {
  it('counts no failover on a clean WAN and exactly one on a dead one', () => {
    const clean = { meanGoodMs: 1000, meanBadMs: 1, lossGood: 0, lossBad: 0 };
    const dead = { meanGoodMs: 1000, meanBadMs: 1, lossGood: 1, lossBad: 1 };
    expect(
      simulateFalseFailovers({
        tracker,
        channel: clean,
        weeks: 0.0005,
        seed: 1,
        echoIntervalMs: 10,
      }),
    ).toMatchObject({ falseFailovers: 0, probesLost: 0 });
    expect(
      simulateFalseFailovers({ tracker, channel: dead, weeks: 0.0005, seed: 1, echoIntervalMs: 10 })
        .falseFailovers,
    ).toBe(1);
  });

  it('echo streams tolerate bursts that single probes do not', () => {
    const bursty = { meanGoodMs: 900, meanBadMs: 100, lossGood: 0.01, lossBad: 0.9 };
    const single = simulateFalseFailovers({ tracker, channel: bursty, weeks: 0.005, seed: 9 });
    const stream = simulateFalseFailovers({
      tracker,
      channel: bursty,
      weeks: 0.005,
      seed: 9,
      echoIntervalMs: 10,
    });
    expect(single.falseFailovers).toBeGreaterThan(stream.falseFailovers);
  });
});
