/**
 * What the fault panel shows and allows, without React: each target's buttons enabled only when
 * the action makes sense in its current state (kill a live node, restore a dead one, cut a WAN
 * that is up, ...), and the active faults in words with a clock time and an age.
 *
 * @example
 * nodeActions('up'); // { kill: true, restore: false }
 * formatSince(Date.parse('2026-12-06T12:03:04'), Date.parse('2026-12-06T12:03:49')); // 'since 12:03:04, 45 s ago'
 */
import type { ActiveFault, FaultState } from '../api/types.ts';
import { formatTime } from './format.ts';

export function nodeActions(state: FaultState['nodes'][number]['state'] | undefined) {
  return { kill: state === 'up', restore: state === 'down' };
}

export function wanActions(state: FaultState['wans'][number]['state'] | undefined) {
  return { cut: state === 'up', restore: state === 'cut' };
}

/** A degraded link may be degraded again (its loss changes); only a degraded one is restored. */
export function linkActions(state: FaultState['links'][number]['state'] | undefined) {
  return { degrade: state !== undefined, restore: state === 'degraded' };
}

/** An age in words: '45 s ago', '3 min 5 s ago', '2 h 4 min ago'. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s ago`;
  return `${Math.floor(m / 60)} h ${m % 60} min ago`;
}

/** 'since 12:03:04, 45 s ago' in the browser's time zone. */
export function formatSince(sinceMs: number, now: number): string {
  return `since ${formatTime(sinceMs)}, ${formatElapsed(now - sinceMs)}`;
}

const KIND_LABEL: Record<ActiveFault['kind'], string> = {
  'node-killed': 'node killed',
  'wan-cut': 'WAN cut',
  'link-degraded': 'link degraded',
};

export function faultKindLabel(kind: ActiveFault['kind']): string {
  return KIND_LABEL[kind] ?? kind;
}

/** Parameters in words: loss as a percentage, others as they are. */
export function formatFaultParameters(p: ActiveFault['parameters']): string {
  const parts = Object.entries(p).map(([k, v]) =>
    k === 'loss' && typeof v === 'number'
      ? `loss ${Math.round(v * 100)}%`
      : `${k.replace(/_/g, ' ')} ${v}`,
  );
  return parts.length === 0 ? '–' : parts.join(', ');
}
