import { describe, expect, it } from 'vitest';
import { DEFAULT_ROAM_POLICY, decide, newChoiceState } from '../../../src/sim/stations/index.ts';

const p = { ...DEFAULT_ROAM_POLICY, marginDb: 6, dwellMs: 500, roamThresholdDbm: -75 };
const sig = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));

describe('AP choice with hysteresis', () => {
  it('joins the best AP above the join threshold, and none below it', () => {
    expect(decide(newChoiceState(), undefined, sig({ a: -70, b: -60 }), 0, p)).toEqual({
      kind: 'associate',
      ap: 'b',
    });
    expect(decide(newChoiceState(), undefined, sig({ a: -85 }), 0, p)).toEqual({ kind: 'stay' });
  });

  it('stays while the other AP is better by less than the margin', () => {
    const s = newChoiceState();
    for (let t = 0; t < 5000; t += 100)
      expect(decide(s, 'a', sig({ a: -65, b: -60 }), t, p)).toEqual({ kind: 'stay' });
  });

  it('roams only after the other AP has been better by the margin for the dwell time', () => {
    const s = newChoiceState();
    expect(decide(s, 'a', sig({ a: -65, b: -58 }), 1000, p).kind).toBe('stay');
    expect(decide(s, 'a', sig({ a: -65, b: -58 }), 1400, p).kind).toBe('stay');
    expect(decide(s, 'a', sig({ a: -65, b: -58 }), 1500, p)).toEqual({
      kind: 'roam',
      ap: 'b',
      reason: 'better',
    });
  });

  it('restarts the dwell when the advantage drops below the margin', () => {
    const s = newChoiceState();
    decide(s, 'a', sig({ a: -65, b: -58 }), 0, p);
    decide(s, 'a', sig({ a: -65, b: -62 }), 300, p); // only 3 dB better: reset
    expect(decide(s, 'a', sig({ a: -65, b: -58 }), 600, p).kind).toBe('stay');
    expect(decide(s, 'a', sig({ a: -65, b: -58 }), 1100, p).kind).toBe('roam');
  });

  it('roams at once to a better AP when the current one is below the roam threshold', () => {
    expect(decide(newChoiceState(), 'a', sig({ a: -77, b: -74 }), 0, p)).toEqual({
      kind: 'roam',
      ap: 'b',
      reason: 'weak',
    });
  });

  it('loses the association when the AP fades and nothing is usable', () => {
    expect(decide(newChoiceState(), 'a', sig({ a: -90, b: -95 }), 0, p)).toEqual({ kind: 'lost' });
  });
});
