/**
 * How current a node's state is, where its values are shown: nothing for a live state; for an
 * offline node's last-known state or an online node's stale one, "as of HH:MM:SS" with its age,
 * so no value of it reads as live.
 *
 * @example
 * <StateAge node={n} now={now} />  // "Last known state (offline), as of 14:02:11 · 3 min ago"
 */
import type { NodeRecord } from '../api/types.ts';
import { formatAge, formatTime } from '../lib/format.ts';

/** Whether the node's state describes the present. */
export function isLive(n: NodeRecord): boolean {
  return n.state_freshness === 'live';
}

/** The class that greys a node's values when they are not live. */
export function staleClass(n: NodeRecord): string | undefined {
  if (!n.state || isLive(n)) return undefined;
  return n.online ? 'stale' : 'last-known';
}

/** "as of 14:02:11", or undefined for a live state. */
export function asOf(n: NodeRecord): string | undefined {
  if (!n.state || n.state_at === null || isLive(n)) return undefined;
  return `as of ${formatTime(n.state_at)}`;
}

export function StateAge({ node: n, now }: { node: NodeRecord; now: number }) {
  const when = asOf(n);
  if (!when || n.state_at === null) return null;
  const what = n.online
    ? 'Stale state: the node is online but has not reported it lately'
    : 'Last known state: the node is offline';
  return (
    <p className={`state-age ${staleClass(n) ?? ''}`} data-testid="state-age">
      {what}, {when} · {formatAge(n.state_at, now)}
    </p>
  );
}
