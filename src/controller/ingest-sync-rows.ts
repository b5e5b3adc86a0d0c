/**
 * The fast path of an ingest batch on SQLite: what agents send most — metric samples, states
 * that list no Wi-Fi stations, node events that move no Wi-Fi client — written through the
 * transaction's synchronous statements (`SqlSession.sync`), with no promise and no microtask per
 * row; their alert operations and timeline entries too. Profiling the asynchronous store showed
 * those promises, not SQLite, were what it added per message (docs/controller-ingest.md).
 *
 * Everything else (presence, configurations, command results, states with stations, client
 * events) is awaited as before, in the same transaction and in the messages' order, so the rows,
 * their ids, the live changes and the alert transitions are those of the asynchronous path
 * (test/controller/ingest-sync-rows.test.ts compares the two). PostgreSQL's session offers no
 * `sync`: it always takes the asynchronous path.
 *
 * @example
 * const sync = tx.sql.sync;
 * if (sync && eventWritableNow(event)) changes = writeEventNow(sync, scope, event, ops, at, note);
 */
import type { NodeEventMessage, NodeState } from '../mqtt/messages.ts';
import type { AlertOp } from './alert-rules.ts';
import { CLIENT_EVENT_KINDS } from './clients/client-tracker.ts';
import type { AlertTransition, LiveChange } from './ingest.ts';
import type { RuleOp } from './rules/rule-op.ts';
import type { SyncSql } from './store/sql-session.ts';
import type { StoreScope } from './store/store-scope.ts';
import type { NodeTimeline } from './timeline/node-timeline.ts';

/** One value of a metrics message, as stored: `wan.wan.latency_ms`, `cpu_percent`, ... */
export interface MetricSample {
  series: string;
  value: number;
}

const CLIENT_KINDS: ReadonlySet<string> = new Set(CLIENT_EVENT_KINDS);

/** Where an alert that opened or closed is noted, to be announced once committed. */
export type NoteTransition = (t: AlertTransition) => void;

/** A node event the client tracker ignores: written at once. */
export function eventWritableNow(e: NodeEventMessage): boolean {
  return !CLIENT_KINDS.has(e.kind);
}

/** A state without a station list: the client tracker ignores it; written at once. */
export function stateWritableNow(state: NodeState): boolean {
  return state.stations === undefined;
}

export function writeSamplesNow(
  sync: SyncSql,
  tx: StoreScope,
  node: string,
  at: number,
  samples: readonly MetricSample[],
): LiveChange[] {
  for (const s of samples) tx.metrics.recordNow(sync, node, s.series, at, s.value);
  return [];
}

/** Ingest's `state` case: timeline, node row, alerts (no clients: `stateWritableNow`). */
export function writeStateNow(
  sync: SyncSql,
  scope: { tx: StoreScope; timeline: NodeTimeline },
  site: string,
  state: NodeState,
  at: number,
  ops: readonly (AlertOp | RuleOp)[],
  note: NoteTransition,
): LiveChange[] {
  scope.timeline.onStateNow(sync, state, at);
  scope.tx.nodes.recordStateNow(sync, site, state, at);
  return [{ type: 'node', node: state.node }, ...applyAlertsNow(sync, scope.tx, ops, at, note)];
}

/** Ingest's `events` case for an event no client follows from (`eventWritableNow`). */
export function writeEventNow(
  sync: SyncSql,
  tx: StoreScope,
  e: NodeEventMessage,
  ops: readonly (AlertOp | RuleOp)[],
  at: number,
  note: NoteTransition,
): LiveChange[] {
  const id = tx.events.addNow(sync, e);
  return [
    { type: 'event', event: { ...e, id, source: 'node' } },
    ...applyAlertsNow(sync, tx, ops, at, note),
  ];
}

/** Ingest's `applyAlerts`, statement for statement, through the synchronous statements. */
function applyAlertsNow(
  sync: SyncSql,
  tx: StoreScope,
  ops: readonly (AlertOp | RuleOp)[],
  at: number,
  note: NoteTransition,
): LiveChange[] {
  const changes: LiveChange[] = [];
  for (const op of ops) {
    if (op.op === 'open') {
      const id = tx.alerts.openNow(sync, op.alert, at);
      const alert = id !== undefined ? tx.alerts.getNow(sync, id) : undefined;
      if (alert) {
        changes.push({ type: 'alert', alert });
        note({ op: 'opened', alert, related: 'related' in op ? op.related : [] });
      }
    } else {
      const closed = tx.alerts.closeNow(sync, op.key, at);
      if (closed) {
        changes.push({ type: 'alert', alert: closed });
        note({ op: 'closed', alert: closed, related: [] });
      }
    }
  }
  return changes;
}
