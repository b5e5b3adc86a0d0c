/**
 * The live feed's single-use tickets kept in the store's `live_tickets` table, so that every
 * controller process on one database can redeem a ticket any of them issued (a proxy may send the
 * two requests to different processes). Stored as a hash, as session tokens are: a row read from
 * the database, a backup or a log of statements cannot be redeemed.
 *
 * Redeeming is one `DELETE … RETURNING`: of two processes redeeming one ticket at once, exactly
 * one gets the row. Expired rows are deleted as new tickets are issued, so the table holds at
 * most a lifetime's worth of tickets.
 *
 * @example
 * const tickets = new StoreLiveTickets(store.sql);
 * const { ticket } = await tickets.issue(user, now);
 * await tickets.redeem(ticket, now); // the user, once; then undefined
 */
import { createHash } from 'node:crypto';
import type { SqlSession } from '../store/sql-session.ts';
import type { User, UserRole } from '../store/user-repo.ts';
import type { LiveTicket, LiveTicketBook } from './live-ticket-book.ts';
import { LIVE_TICKET_TTL_MS, newLiveTicket } from './live-tickets.ts';

const hashOf = (ticket: string) => createHash('sha256').update(ticket).digest('hex');

export class StoreLiveTickets implements LiveTicketBook {
  constructor(
    private readonly sql: SqlSession,
    private readonly ttlMs = LIVE_TICKET_TTL_MS,
  ) {}

  async issue(user: User, now: number): Promise<LiveTicket> {
    const ticket = newLiveTicket();
    const expiresAt = now + this.ttlMs;
    await this.sql.transaction(async (tx) => {
      await tx.run('DELETE FROM live_tickets WHERE expires_at <= ?', [now]);
      await tx.run(
        'INSERT INTO live_tickets (ticket_hash, username, role, session, expires_at) VALUES (?, ?, ?, ?, ?)',
        [hashOf(ticket), user.username, user.role, user.session ?? null, expiresAt],
      );
    });
    return { ticket, expires_at: expiresAt };
  }

  async redeem(ticket: string, now: number): Promise<User | undefined> {
    const row = await this.sql.get<{
      username: string;
      role: UserRole;
      session: string | null;
      expires_at: number;
    }>(
      'DELETE FROM live_tickets WHERE ticket_hash = ? RETURNING username, role, session, expires_at',
      [hashOf(ticket)],
    );
    if (!row || Number(row.expires_at) <= now) return undefined;
    return row.session === null
      ? { username: row.username, role: row.role }
      : { username: row.username, role: row.role, session: row.session };
  }
}
