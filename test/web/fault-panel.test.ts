import { describe, expect, it } from 'vitest';
import {
  faultKindLabel,
  formatElapsed,
  formatFaultParameters,
  formatSince,
  linkActions,
  nodeActions,
  wanActions,
} from '../../web/src/lib/fault-panel.ts';

describe('fault panel', () => {
  it('offers only the actions that make sense in the state', () => {
    expect(nodeActions('up')).toEqual({ kill: true, restore: false });
    expect(nodeActions('down')).toEqual({ kill: false, restore: true });
    expect(nodeActions(undefined)).toEqual({ kill: false, restore: false });
    expect(wanActions('up')).toEqual({ cut: true, restore: false });
    expect(wanActions('cut')).toEqual({ cut: false, restore: true });
    expect(linkActions('normal')).toEqual({ degrade: true, restore: false });
    expect(linkActions('degraded')).toEqual({ degrade: true, restore: true });
  });

  it('shows times as clock times and ages, never raw epoch milliseconds', () => {
    const since = new Date(2026, 11, 6, 12, 3, 4, 500).getTime();
    expect(formatSince(since, since + 45_000)).toBe('since 12:03:04, 45 s ago');
    expect(formatElapsed(185_000)).toBe('3 min 5 s ago');
    expect(formatElapsed(2 * 3_600_000 + 4 * 60_000)).toBe('2 h 4 min ago');
    expect(formatElapsed(-5)).toBe('0 s ago');
  });

  it('names kinds and parameters in words', () => {
    expect(faultKindLabel('wan-cut')).toBe('WAN cut');
    expect(formatFaultParameters({ loss: 0.6 })).toBe('loss 60%');
    expect(formatFaultParameters({ wan_kind: 'modem' })).toBe('wan kind modem');
    expect(formatFaultParameters({})).toBe('–');
  });
});
