import { describe, expect, it } from 'vitest';
import { axisLabel, axisWidth } from '../../web/src/lib/axis-labels.ts';
import { labelLeft } from '../../web/src/lib/topology-scene.ts';
import { formatTimestamp } from '../../web/src/lib/timestamp.ts';

describe('chart axis labels', () => {
  it('drop float noise and get the room their widest label needs', () => {
    expect(axisLabel(0.30000000000000004, '%')).toBe('0.3%');
    expect(axisLabel(1000, ' ms')).toBe('1000 ms');
    const perChar = (s: string) => s.length * 7;
    // uPlot's fixed 50 px held 35 px of text: '1000 ms' (49 px here) was cut to '00 ms'.
    expect(axisWidth(['0 ms', '500 ms', '1000 ms'], perChar)).toBe(49 + 5 + 10 + 4);
    expect(axisWidth(null, perChar)).toBe(19);
  });
});

describe('topology labels', () => {
  it('sit right of their node, or left of it where they would leave the canvas', () => {
    expect(labelLeft(100, 10, 30, 500)).toBe(113);
    // A gateway near the right edge of an 820 px window: its label goes to its left.
    expect(labelLeft(490, 10, 30, 500)).toBe(490 - 10 - 3 - 30);
    expect(labelLeft(20, 10, 600, 500)).toBe(0);
  });
});

describe('timestamps', () => {
  it('show the clock time today and the date otherwise', () => {
    const now = new Date(2026, 11, 6, 18, 0, 0).getTime();
    expect(formatTimestamp(new Date(2026, 11, 6, 12, 3, 4).getTime(), now)).toBe('12:03:04');
    expect(formatTimestamp(new Date(2026, 11, 5, 23, 10, 59).getTime(), now)).toBe(
      '2026-12-05 23:10',
    );
  });
});
