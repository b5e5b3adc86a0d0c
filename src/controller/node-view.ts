/**
 * A node as the API shows it: its stored record plus how old its state is and whether that
 * state is live. The state of an offline node is its last-known one, never live; the state of
 * an online node that stopped reporting it (more than `staleAfterMs`) is stale.
 *
 * The age is measured from the node's own timestamp (`state_at`), so a retained report the
 * broker hands over after a controller restart reads as old as it is.
 *
 * @example
 * nodeView(record, clock.now()); // { ...record, state_age_ms: 1200, state_freshness: 'live' }
 */
import type { NodeRecord } from './store/records.ts';
import type { CurrentTraffic } from './traffic-rates.ts';

/** Three missed reports of an agent on its default 30 s period. */
export const STATE_STALE_AFTER_MS = 90_000;

/** `live`: online and recent; `stale`: online but not reported lately; `last-known`: offline. */
export type StateFreshness = 'live' | 'stale' | 'last-known';

export interface NodeView extends NodeRecord {
  /**
   * The latest traffic rate of each WAN (its `at` dates it); only while the node is online: a
   * dead node carries nothing, whatever it last measured.
   */
  wan_traffic?: Record<string, CurrentTraffic>;
  /** Milliseconds since the node took its state; null when it never reported one. */
  state_age_ms: number | null;
  /** Whether `state` describes the present; null when the node never reported a state. */
  state_freshness: StateFreshness | null;
}

export function nodeView(
  record: NodeRecord,
  now: number,
  staleAfterMs = STATE_STALE_AFTER_MS,
): NodeView {
  if (!record.state || record.state_at === null)
    return { ...record, state_age_ms: null, state_freshness: null };
  // A node clock slightly ahead of the controller's must not give a negative age.
  const age = Math.max(0, now - record.state_at);
  const freshness: StateFreshness = !record.online
    ? 'last-known'
    : age > staleAfterMs
      ? 'stale'
      : 'live';
  return { ...record, state_age_ms: age, state_freshness: freshness };
}

/** Adds the node's current WAN traffic, when it is online and the controller measured any. */
export function withTraffic(
  view: NodeView,
  trafficNow: ((node: string) => Record<string, CurrentTraffic>) | undefined,
): NodeView {
  if (!trafficNow || !view.online) return view;
  return { ...view, wan_traffic: trafficNow(view.node) };
}
