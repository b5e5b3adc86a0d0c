/**
 * What a node reports of one WAN's health, from its tracker's snapshot: the state the dashboard
 * shows, mwan3's status (which tells a WAN that is recovering from one that is failing), and the
 * latency and loss of the last probe cycle. A WAN nothing answers on has no latency (null), not
 * the last good one, and the loss it measured (100% without a carrier).
 *
 * @example
 * wanFigures(tracker.snapshot()); // { state: 'down', status: 'offline', latency_ms: null, loss: 1 }
 */
import type { WanReport } from '../../mqtt/messages.ts';
import type { WanHealthSnapshot } from './wan-tracker.ts';

export type WanFigures = Pick<WanReport, 'state' | 'status' | 'latency_ms' | 'loss'>;

export function wanFigures(h: WanHealthSnapshot | undefined): WanFigures {
  if (!h) return { state: 'unknown', latency_ms: null, loss: null };
  const state: WanReport['state'] =
    h.status === 'online' ? 'up' : h.status === 'offline' ? 'down' : 'degraded';
  return { state, status: h.status, ...probeFigures(h.targets) };
}

/** Mean latency of the targets that answered (null: none did), mean loss as 0..1. */
export function probeFigures(targets: readonly { latencyMs: number; lossPct: number }[]): {
  latency_ms: number | null;
  loss: number | null;
} {
  if (targets.length === 0) return { latency_ms: null, loss: null };
  const answered = targets.filter((t) => Number.isFinite(t.latencyMs) && t.lossPct < 100);
  const latency =
    answered.length === 0
      ? null
      : Math.round((answered.reduce((s, t) => s + t.latencyMs, 0) / answered.length) * 10) / 10;
  const loss = targets.reduce((s, t) => s + t.lossPct, 0) / targets.length / 100;
  return { latency_ms: latency, loss: Math.min(1, Math.max(0, Math.round(loss * 1000) / 1000)) };
}
