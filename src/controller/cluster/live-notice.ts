/**
 * The live feed between controller processes: what one process committed reaches the
 * dashboards connected to every other process through PostgreSQL NOTIFY. A NOTIFY payload must
 * stay under 8,000 bytes, so a larger batch of changes is stored in a table and only its row id
 * is notified; the listeners read the row.
 *
 * @example
 * const n = liveNotice(17, { changes, alerts: [] });
 * if (n.kind === 'inline') notify(n.payload); else notify(refPayload(17, await insert(n.body)));
 */
import type { AlertTransition, LiveChange } from '../ingest.ts';

/** What one process committed: its dashboards' changes, and alert transitions for the leader's notifier. */
export interface LiveBody {
  changes: LiveChange[];
  alerts: AlertTransition[];
}

/** Below PostgreSQL's limit of 8,000 bytes, with room for the envelope. */
export const NOTIFY_LIMIT_BYTES = 7_900;

export type LiveNotice =
  /** Small enough to go in the NOTIFY itself. */
  | { kind: 'inline'; payload: string }
  /** Too large: store `body` and notify its id with `refPayload`. */
  | { kind: 'stored'; body: string };

/** What a listener receives. `from` is the sending member, which skips its own notices. */
export type ReceivedNotice = ({ from: number } & LiveBody) | { from: number; ref: string };

export function liveNotice(from: number, body: LiveBody): LiveNotice {
  const payload = JSON.stringify({ from, ...body });
  if (Buffer.byteLength(payload) <= NOTIFY_LIMIT_BYTES) return { kind: 'inline', payload };
  return { kind: 'stored', body: JSON.stringify(body) };
}

/** A stored body read back, or undefined when it is not one. */
export function readBody(text: string): LiveBody | undefined {
  try {
    const v = JSON.parse(text) as Partial<LiveBody>;
    if (!Array.isArray(v.changes)) return undefined;
    return { changes: v.changes, alerts: Array.isArray(v.alerts) ? v.alerts : [] };
  } catch {
    return undefined;
  }
}

export function refPayload(from: number, ref: string): string {
  return JSON.stringify({ from, ref });
}

/** The notice in a NOTIFY payload, or undefined when it is not one of ours. */
export function readNotice(payload: string | undefined): ReceivedNotice | undefined {
  if (payload === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { from?: unknown; changes?: unknown; alerts?: unknown; ref?: unknown };
  if (typeof v.from !== 'number') return undefined;
  if (Array.isArray(v.changes)) {
    const alerts = Array.isArray(v.alerts) ? (v.alerts as AlertTransition[]) : [];
    return { from: v.from, changes: v.changes as LiveChange[], alerts };
  }
  if (typeof v.ref === 'string') return { from: v.from, ref: v.ref };
  return undefined;
}
