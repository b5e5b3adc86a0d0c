import { describe, expect, it } from 'vitest';
import { bestGateway, shouldSwitch } from './gateway-selection.ts';

const gws = [
  { address: 1, tq: 200, down: 100 }, // 10 Mbit/s, factor 200^2 * 100 * 10000 >> 18 = 152587
  { address: 2, tq: 150, down: 1000 }, // 100 Mbit/s, factor 858306
  { address: 3, tq: 0, down: 100000 }, // unreachable
];

describe('gateway selection classes', () => {
  it('class 1 weighs TQ squared by download bandwidth', () => {
    expect(bestGateway(gws, 1)?.address).toBe(2);
    // with equal bandwidth the better TQ wins
    expect(
      bestGateway(
        [
          { address: 4, tq: 100, down: 50 },
          { address: 5, tq: 101, down: 50 },
        ],
        1,
      )?.address,
    ).toBe(5);
  });

  it('classes 2, 3 and above pick the best TQ', () => {
    expect(bestGateway(gws, 2)?.address).toBe(1);
    expect(bestGateway(gws, 20)?.address).toBe(1);
    expect(bestGateway([{ address: 3, tq: 0, down: 1 }], 20)).toBeUndefined();
  });

  it('switching: never for 1 and 2, on any better TQ for 3, by N points above 3', () => {
    expect(shouldSwitch(1, 10, 255)).toBe(false);
    expect(shouldSwitch(2, 10, 255)).toBe(false);
    expect(shouldSwitch(3, 180, 181)).toBe(true);
    expect(shouldSwitch(3, 180, 180)).toBe(false);
    expect(shouldSwitch(20, 180, 199)).toBe(false);
    expect(shouldSwitch(20, 180, 200)).toBe(true);
  });
});
