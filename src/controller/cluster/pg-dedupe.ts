/**
 * The ids of messages already stored, in PostgreSQL: inserted in the same transaction as the
 * rows a batch writes, so a message is stored exactly once however often it arrives (a broker
 * redelivery, a survivor replaying its window after a hand-off). Two processes writing the same
 * message at once cannot both win: the second insert waits for the first transaction and then
 * finds the id taken (or takes it, if the first rolled back).
 *
 * The table (`cluster_seen`) is created by the store's migrations (postgres-schema.ts). It is
 * bounded by age: an id older than `keepMs` is forgotten. A redelivery comes within
 * seconds (a hand-off, a reconnect), so hours are plenty; pruning is one of the leader's chores.
 *
 * @example
 * await store.transaction(async (tx) => {
 *   const fresh = await keepUnseen((text, v) => tx.sql.all(text, v), withFirstIds(batch), now);
 *   await writeAll(tx, fresh);
 * });
 */
import type { Queryable } from './pg-live-fanout.ts';

/** How long a message id is remembered. @default 6 hours */
export const DEDUPE_KEEP_MS = 6 * 3_600_000;

/**
 * Runs a statement and answers its rows: a `pg` client (`rowsOf(client)`) or the store's
 * transaction (`(text, values) => tx.sql.all(text, values)`). The SQL uses `$n` parameters,
 * which both take as they are.
 */
export type RowQuery = <R>(text: string, values: (string | number)[]) => Promise<R[]>;

export function rowsOf(q: Queryable): RowQuery {
  return async <R>(text: string, values: (string | number)[]) =>
    (await q.query(text, values)).rows as R[];
}

/**
 * Records the ids and answers, for each, whether it was new (a repeat within `ids` is not).
 * Run it inside the transaction that stores the messages: if it rolls back, the ids are not
 * taken.
 */
export async function freshIds(
  rows: RowQuery,
  ids: readonly Buffer[],
  now: number,
): Promise<boolean[]> {
  if (ids.length === 0) return [];
  const hex = ids.map((id) => id.toString('hex'));
  // One parameter of comma-separated hex: no array types to pass through either session.
  const inserted = await rows<{ id: string }>(
    `INSERT INTO cluster_seen (id, seen_at)
       SELECT decode(h, 'hex'), $2 FROM unnest(string_to_array($1, ',')) AS h
     ON CONFLICT (id) DO NOTHING
     RETURNING encode(id, 'hex') AS id`,
    // The real clock has fractions of a millisecond; the column is whole ones.
    [hex.join(','), Math.floor(now)],
  );
  const fresh = new Set(inserted.map((r) => r.id));
  return hex.map((h) => fresh.delete(h));
}

/** The messages whose id was new, in their order (`freshIds` over `withFirstIds`' output). */
export async function keepUnseen<T>(
  rows: RowQuery,
  messages: readonly { message: T; id: Buffer }[],
  now: number,
): Promise<T[]> {
  const fresh = await freshIds(
    rows,
    messages.map((m) => m.id),
    now,
  );
  return messages.filter((_, i) => fresh[i]).map((m) => m.message);
}

/** Forgets ids seen before `before`; answers how many. */
export async function pruneSeen(q: Queryable, before: number): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM cluster_seen WHERE seen_at < $1', [
    Math.floor(before),
  ]);
  return rowCount ?? 0;
}
