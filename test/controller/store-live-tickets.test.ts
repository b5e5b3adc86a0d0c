/**
 * The live feed's tickets kept in the store (store-live-tickets.ts), on SQLite and on a real
 * PostgreSQL: single use, refused once expired, the same answers as the in-memory book; and on
 * PostgreSQL, a ticket issued by one process's store redeemed by another's, exactly once when
 * both try at the same moment. Times are given, not read from a clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveTickets } from '../../src/controller/http/live-tickets.ts';
import { StoreLiveTickets } from '../../src/controller/http/store-live-tickets.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import type { User } from '../../src/controller/store/user-repo.ts';
import { postgresUnavailable } from '../postgres/postgres-server.ts';
import { storeBackends, useStore } from './store-backends.ts';

const { backends, postgresDatabase, stop } = storeBackends();
afterAll(stop);

const ann: User = { username: 'ann', role: 'operator', session: 'a'.repeat(64) };

describe.each(backends)('live tickets in the store on $name', (backend) => {
  describe.skipIf(backend.skip)('one book', () => {
    const opened = useStore(backend);

    it('redeems a ticket once, for the user and session it was issued to, as the memory book does', async () => {
      const books = [new StoreLiveTickets(opened().sql), new LiveTickets()];
      for (const book of books) {
        const t = await book.issue(ann, 1_000);
        expect(t.expires_at).toBe(31_000);
        expect(t.ticket).toMatch(/^[\w-]{32}$/);
        expect(await book.redeem(t.ticket, 2_000)).toEqual(ann);
        expect(await book.redeem(t.ticket, 2_000)).toBeUndefined();
        expect(await book.redeem('not-a-ticket', 2_000)).toBeUndefined();
      }
    });

    it('refuses a ticket from its expiry on, and drops expired rows as new tickets are issued', async () => {
      const book = new StoreLiveTickets(opened().sql);
      const late = await book.issue(ann, 100_000);
      expect(await book.redeem(late.ticket, 130_000)).toBeUndefined();
      const old = await book.issue({ username: 'bob', role: 'viewer' }, 200_000);
      await book.issue(ann, 230_001);
      const rows = await opened().sql.all<{ username: string }>(
        'SELECT username FROM live_tickets',
      );
      expect(rows.map((r) => r.username)).toEqual(['ann']);
      expect(await book.redeem(old.ticket, 229_000)).toBeUndefined();
    });

    it('keeps only a hash of the ticket', async () => {
      const book = new StoreLiveTickets(opened().sql);
      const t = await book.issue({ username: 'bob', role: 'viewer' }, 300_000);
      const rows = await opened().sql.all<{ ticket_hash: string }>(
        'SELECT ticket_hash FROM live_tickets',
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.ticket_hash).not.toContain(t.ticket);
      // A user without a login session (none in the row) comes back without one.
      expect(await book.redeem(t.ticket, 300_001)).toEqual({ username: 'bob', role: 'viewer' });
    });
  });
});

describe.skipIf(postgresUnavailable())('live tickets shared by two processes on PostgreSQL', () => {
  let one: ControllerStore;
  let two: ControllerStore;
  beforeAll(async () => {
    const url = await postgresDatabase();
    one = await ControllerStore.open(url);
    two = await ControllerStore.open(url);
  }, 60_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('redeems on one a ticket issued by the other, and only once when both try at once', async () => {
    const issuer = new StoreLiveTickets(one.sql);
    const books = [new StoreLiveTickets(one.sql), new StoreLiveTickets(two.sql)];
    expect(await books[1]!.redeem((await issuer.issue(ann, 1_000)).ticket, 1_001)).toEqual(ann);
    for (let i = 0; i < 20; i++) {
      const { ticket } = await issuer.issue(ann, 2_000 + i);
      const answers = await Promise.all(books.map((b) => b.redeem(ticket, 2_001 + i)));
      expect(answers.filter((a) => a !== undefined)).toEqual([ann]);
    }
  });
});
