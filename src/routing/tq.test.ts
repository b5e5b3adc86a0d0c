import { describe, expect, it } from 'vitest';
import { asymmetryPenalty, combinedTq, hopPenalty, localTq, ringAverage } from './tq.ts';

describe('TQ arithmetic (worked examples from batman-adv formulas)', () => {
  it('local TQ is the echo share of received packets, capped at 255', () => {
    expect(localTq(64, 64)).toBe(255);
    expect(localTq(32, 64)).toBe(127); // 255 * 32 / 64 = 127.5
    expect(localTq(70, 64)).toBe(255); // more echoes than received counts as 100 %
    expect(localTq(10, 40)).toBe(63); // 255 * 10 / 40 = 63.75
    expect(localTq(0, 64)).toBe(0); // never heard back: not bidirectional
    expect(localTq(5, 0)).toBe(0);
  });

  it('asymmetry penalty is 255 * (1 - (1 - rq/64)^3)', () => {
    expect(asymmetryPenalty(64)).toBe(255);
    expect(asymmetryPenalty(32)).toBe(224); // 255 - floor(255 * 32^3 / 64^3) = 255 - 31
    expect(asymmetryPenalty(1)).toBe(12); // 255 - floor(255 * 63^3 / 64^3) = 255 - 243
    expect(asymmetryPenalty(0)).toBe(0);
  });

  it('combines packet TQ, local TQ and asymmetry, each normalised to 255', () => {
    expect(combinedTq(255, 255, 255)).toBe(255);
    // 200 * 127 * 224 * 255 / 255^3 = 87.49
    expect(combinedTq(200, 127, 224)).toBe(87);
    // a per-interface hop penalty of 15 costs 6 %: 255 * 240 / 255
    expect(combinedTq(255, 255, 255, 15)).toBe(240);
    expect(combinedTq(255, 0, 255)).toBe(0);
  });

  it('hop penalty 30 turns 255 into 225, 225 into 198, 198 into 174 (three perfect hops)', () => {
    expect(hopPenalty(255, 30)).toBe(225);
    expect(hopPenalty(225, 30)).toBe(198);
    expect(hopPenalty(198, 30)).toBe(174);
    expect(hopPenalty(200, 0)).toBe(200);
  });

  it('averages the non-zero entries of the TQ ring', () => {
    expect(ringAverage(Uint8Array.from([0, 200, 0, 100, 0]))).toBe(150);
    expect(ringAverage(Uint8Array.from([0, 0, 0, 0, 0]))).toBe(0);
    expect(ringAverage(Uint8Array.from([255, 254, 254, 254, 254]))).toBe(254);
  });
});
