/**
 * The ids of messages already stored, in PostgreSQL: inserted in the same transaction as the
 * rows a batch writes, so a message is stored exactly once however often it arrives (a broker
 * redelivery, a survivor replaying its window after a hand-off). Two processes writing the same
 * message at once cannot both win: the second insert waits for the first transaction and then
 * finds the id taken (or takes it, if the first rolled back).
 *
 * The table is bounded by age: an id older than `keepMs` is forgotten. A redelivery comes within
 * seconds (a hand-off, a reconnect), so hours are plenty; pruning is one of the leader's chores.
 *
 * @example
 * await store.transaction(async (tx) => {
 *   const fresh = await keepUnseen(tx, withFirstIds(batch), now);
 *   await writeAll(tx, fresh);
 * });
 */
import type { Queryable } from './pg-live-fanout.ts';

/** How long a message id is remembered. @default 6 hours */
export const DEDUPE_KEEP_MS = 6 * 3_600_000;

export async function ensureDedupeTable(q: Queryable): Promise<void> {
  await q.query(
    'CREATE TABLE IF NOT EXISTS cluster_seen (id bytea PRIMARY KEY, seen_at bigint NOT NULL)',
  );
  await q.query('CREATE INDEX IF NOT EXISTS cluster_seen_at ON cluster_seen (seen_at)');
}

/**
 * Records the ids and answers the messages whose id was new (in their order). Run it inside the
 * transaction that stores them: if it rolls back, the ids are not taken.
 */
export async function keepUnseen<T>(
  q: Queryable,
  messages: readonly { message: T; id: Buffer }[],
  now: number,
): Promise<T[]> {
  if (messages.length === 0) return [];
  const { rows } = await q.query<{ id: Buffer }>(
    `INSERT INTO cluster_seen (id, seen_at)
       SELECT unnest($1::bytea[]), $2
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [messages.map((m) => m.id), now],
  );
  const fresh = new Set(rows.map((r) => r.id.toString('hex')));
  return messages.filter((m) => fresh.has(m.id.toString('hex'))).map((m) => m.message);
}

/** Forgets ids seen before `before`; answers how many. */
export async function pruneSeen(q: Queryable, before: number): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM cluster_seen WHERE seen_at < $1', [before]);
  return rowCount ?? 0;
}
