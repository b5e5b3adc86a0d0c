/**
 * The live feed between controller processes: what one process committed reaches the
 * dashboards connected to every other process through PostgreSQL NOTIFY. A NOTIFY payload must
 * stay under 8,000 bytes, so a larger batch of changes is stored in a table and only its row id
 * is notified; the listeners read the row.
 *
 * @example
 * const n = liveNotice(17, changes);
 * if (n.kind === 'inline') notify(n.payload); else notify(refPayload(17, await insert(n.body)));
 */
import type { LiveChange } from '../ingest.ts';

/** Below PostgreSQL's limit of 8,000 bytes, with room for the envelope. */
export const NOTIFY_LIMIT_BYTES = 7_900;

export type LiveNotice =
  /** Small enough to go in the NOTIFY itself. */
  | { kind: 'inline'; payload: string }
  /** Too large: store `body` and notify its id with `refPayload`. */
  | { kind: 'stored'; body: string };

/** What a listener receives. `from` is the sending member, which skips its own notices. */
export type ReceivedNotice =
  { from: number; changes: LiveChange[] } | { from: number; ref: string };

export function liveNotice(from: number, changes: readonly LiveChange[]): LiveNotice {
  const payload = JSON.stringify({ from, changes });
  if (Buffer.byteLength(payload) <= NOTIFY_LIMIT_BYTES) return { kind: 'inline', payload };
  return { kind: 'stored', body: JSON.stringify(changes) };
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
  const v = value as { from?: unknown; changes?: unknown; ref?: unknown };
  if (typeof v.from !== 'number') return undefined;
  if (Array.isArray(v.changes)) return { from: v.from, changes: v.changes as LiveChange[] };
  if (typeof v.ref === 'string') return { from: v.from, ref: v.ref };
  return undefined;
}
