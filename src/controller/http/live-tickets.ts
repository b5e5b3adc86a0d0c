/**
 * Single-use tickets for opening the live WebSocket from a browser, which cannot send an
 * Authorization header there: an authenticated `POST /api/live/ticket` issues one, valid for
 * `ttlMs`, and `/api/live?ticket=…` redeems it once. A ticket in a log or a Referer is worthless
 * seconds later. Kept in memory (a restart makes clients fetch a new one) and bounded.
 * Sans-IO: the caller passes `now`.
 *
 * @example
 * const t = tickets.issue(user, now);
 * tickets.redeem(t.ticket, now); // the user, once; then undefined
 */
import { randomBytes } from 'node:crypto';
import type { User } from '../store/user-repo.ts';
import type { LiveTicket, LiveTicketBook } from './live-ticket-book.ts';

/** A ticket's lifetime: long enough to open a socket right after asking, short enough for logs. */
export const LIVE_TICKET_TTL_MS = 30_000;

/** A new ticket: 24 random bytes, unguessable, URL-safe. */
export function newLiveTicket(): string {
  return randomBytes(24).toString('base64url');
}

export class LiveTickets implements LiveTicketBook {
  private readonly open = new Map<string, { user: User; expiresAt: number }>();

  constructor(
    private readonly ttlMs = LIVE_TICKET_TTL_MS,
    private readonly maxOpen = 10_000,
  ) {}

  issue(user: User, now: number): LiveTicket {
    this.prune(now);
    if (this.open.size >= this.maxOpen) this.open.delete(this.open.keys().next().value!);
    const ticket = newLiveTicket();
    this.open.set(ticket, { user, expiresAt: now + this.ttlMs });
    return { ticket, expires_at: now + this.ttlMs };
  }

  /** The user the ticket was issued to, if it is known and fresh; it cannot be used again. */
  redeem(ticket: string, now: number): User | undefined {
    const entry = this.open.get(ticket);
    this.open.delete(ticket);
    return entry && entry.expiresAt > now ? entry.user : undefined;
  }

  private prune(now: number): void {
    for (const [ticket, entry] of this.open) if (entry.expiresAt <= now) this.open.delete(ticket);
  }
}
