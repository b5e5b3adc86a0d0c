/**
 * Where the live feed's single-use tickets are kept. One process alone keeps them in memory
 * (live-tickets.ts); controllers sharing a PostgreSQL database keep them in the database
 * (store-live-tickets.ts), because a proxy that spreads requests over the controllers may send
 * the browser's `POST /api/live/ticket` to one and its `GET /api/live?ticket=…` to another.
 *
 * @example
 * const tickets = liveTicketBookFor(store);
 * const { ticket } = await tickets.issue(request.user, now);
 * const user = await tickets.redeem(ticket, now); // once; then undefined
 */
import type { ControllerStore } from '../store/controller-store.ts';
import type { User } from '../store/user-repo.ts';
import { LiveTickets } from './live-tickets.ts';
import { StoreLiveTickets } from './store-live-tickets.ts';

export interface LiveTicket {
  ticket: string;
  expires_at: number;
}

export interface LiveTicketBook {
  issue(user: User, now: number): LiveTicket | Promise<LiveTicket>;
  /** The user the ticket was issued to, if it is known and fresh; it cannot be used again. */
  redeem(ticket: string, now: number): User | undefined | Promise<User | undefined>;
}

/** In the database when several processes may share it (PostgreSQL), else in memory. */
export function liveTicketBookFor(store: ControllerStore): LiveTicketBook {
  return store.dialect === 'postgres' ? new StoreLiveTickets(store.sql) : new LiveTickets();
}
