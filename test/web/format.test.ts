import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, formatPercent, formatValue } from '../../web/src/lib/format.ts';
import { tqStatus, wanHealth } from '../../web/src/lib/status-colour.ts';
import { nextVersion } from '../../web/src/api/config-source.ts';

describe('formats', () => {
  it('formats durations and ages', () => {
    expect(formatDuration(93_784)).toBe('1d 2h 3m');
    expect(formatDuration(3_661)).toBe('1h 1m');
    expect(formatDuration(61)).toBe('1m 1s');
    expect(formatAge(0, 2_000)).toBe('just now');
    expect(formatAge(0, 65_000)).toBe('1 min ago');
    expect(formatAge(0, 7_200_000)).toBe('2 h ago');
  });

  it('formats ratios and absent values', () => {
    expect(formatPercent(0.256)).toBe('25.6%');
    expect(formatPercent(null)).toBe('–');
    expect(formatValue(undefined)).toBe('(absent)');
    expect(formatValue('x')).toBe('"x"');
  });

  it('grades TQ and WAN states', () => {
    expect([255, 200, 199, 120, 119, 0, null].map(tqStatus)).toEqual([
      'good',
      'good',
      'warn',
      'warn',
      'bad',
      'bad',
      'unknown',
    ]);
    expect(['up', 'degraded', 'down', 'unknown'].map(wanHealth)).toEqual([
      'good',
      'warn',
      'bad',
      'unknown',
    ]);
  });

  it('derives the next version label from the running one', () => {
    const at = new Date(Date.UTC(2026, 10, 23, 21, 5, 9));
    expect(nextVersion('v7', at)).toBe('v7+ui-20261123T210509Z');
    expect(nextVersion('v7+ui-20261101T000000Z', at)).toBe('v7+ui-20261123T210509Z');
    expect(nextVersion(null, at)).toBe('v+ui-20261123T210509Z');
  });
});
