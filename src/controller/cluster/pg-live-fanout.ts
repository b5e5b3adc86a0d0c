/**
 * The live feed across controller processes through LISTEN/NOTIFY: a process announces what it
 * committed to its own dashboards and NOTIFYs the others, which pass it to theirs. A batch too
 * large for a NOTIFY payload (8,000 bytes) is stored in `cluster_live` and only its id is
 * notified (the table is created by the store's migrations, postgres-schema.ts); rows older than
 * `keepMs` are pruned. A listener that misses a notice (its connection was down) misses a live
 * update, not data: dashboards re-read the API on reconnect.
 *
 * @example
 * const fanout = await PgLiveFanout.start({ listen: locks.client, send: pool, member: locks.memberId,
 *   clock, onNotice: ({ changes }) => live.broadcast(changes) });
 * await fanout.publish(changes);
 */
import type pg from 'pg';
import type { Clock } from '../../core/clock.ts';
import type { AlertTransition, LiveChange } from '../ingest.ts';
import { liveNotice, readBody, readNotice, refPayload, type LiveBody } from './live-notice.ts';

export const LIVE_CHANNEL = 'intelli_mesh_live';

/** Anything that runs a query: a pool, a client, a transaction's client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface PgLiveFanoutOptions {
  /** A dedicated connection that LISTENs (the lock connection serves). */
  listen: pg.Client;
  /** Where NOTIFYs and large bodies are written. */
  send: Queryable;
  /** This process's member id: its own notices are skipped. */
  member: number;
  clock: Clock;
  onNotice: (body: LiveBody) => void;
  /** How long stored bodies are kept. @default 60_000 */
  keepMs?: number;
  onError?: (err: Error) => void;
}

export class PgLiveFanout {
  private constructor(private readonly options: PgLiveFanoutOptions) {}

  static async start(options: PgLiveFanoutOptions): Promise<PgLiveFanout> {
    const fanout = new PgLiveFanout(options);
    options.listen.on('notification', (n) => {
      if (n.channel === LIVE_CHANNEL) void fanout.receive(n.payload);
    });
    await options.listen.query(`LISTEN ${LIVE_CHANNEL}`);
    return fanout;
  }

  /** Tells the other processes about changes this one committed. */
  async publish(
    changes: readonly LiveChange[],
    alerts: readonly AlertTransition[] = [],
  ): Promise<void> {
    if (changes.length === 0 && alerts.length === 0) return;
    const { send, member, clock } = this.options;
    const notice = liveNotice(member, { changes: [...changes], alerts: [...alerts] });
    if (notice.kind === 'inline') {
      await send.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, notice.payload]);
      return;
    }
    // Whole milliseconds: the real clock has fractions, the column does not.
    const now = Math.floor(clock.now());
    const { rows } = await send.query<{ id: string }>(
      'INSERT INTO cluster_live (at, body) VALUES ($1, $2) RETURNING id::text AS id',
      [now, notice.body],
    );
    await send.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, refPayload(member, rows[0]!.id)]);
    await send.query('DELETE FROM cluster_live WHERE at < $1', [
      now - (this.options.keepMs ?? 60_000),
    ]);
  }

  private async receive(payload: string | undefined): Promise<void> {
    const notice = readNotice(payload);
    if (!notice || notice.from === this.options.member) return;
    try {
      if ('changes' in notice) {
        this.options.onNotice({ changes: notice.changes, alerts: notice.alerts });
        return;
      }
      const { rows } = await this.options.send.query<{ body: string }>(
        'SELECT body FROM cluster_live WHERE id = $1',
        [notice.ref],
      );
      const body = rows[0] && readBody(rows[0].body);
      if (body) this.options.onNotice(body);
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }
}
