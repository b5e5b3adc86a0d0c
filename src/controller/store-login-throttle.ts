/**
 * The login throttle's two budgets (login-throttle.ts: failed logins per username and per client
 * address within a window) kept in the store's `login_failures` table, so that every controller
 * process on one database counts every process's failures.
 *
 * Check and count are one transaction: on PostgreSQL under one advisory lock (a login is rare
 * and the transaction short, so one lock for all is enough, and it cannot deadlock), on SQLite
 * transactions run one at a time anyway. Concurrent guesses on several processes therefore
 * cannot all pass the check before the first is counted. Rows older than the window are deleted
 * as new ones are written: the table holds at most a window's admitted attempts.
 *
 * @example
 * const throttle = new StoreLoginThrottle(store.sql);
 * if ((await throttle.begin('admin', '203.0.113.9', now)) > 0) reply429();
 */
import type { LoginGate } from './login-gate.ts';
import { throttleLimits, type LoginThrottleOptions } from './login-throttle.ts';
import type { SqlSession } from './store/sql-session.ts';

type Budget = 'user' | 'address';

const LOCK = 'intelli-mesh login throttle';

export class StoreLoginThrottle implements LoginGate {
  private readonly budgets: Record<Budget, number>;
  private readonly windowMs: number;

  constructor(
    private readonly sql: SqlSession,
    options: LoginThrottleOptions = {},
  ) {
    const { perUser, perAddress, windowMs } = throttleLimits(options);
    this.budgets = { user: perUser, address: perAddress };
    this.windowMs = windowMs;
  }

  begin(username: string, address: string, now: number): Promise<number> {
    return this.sql.transaction(async (tx) => {
      if (tx.dialect === 'postgres') {
        await tx.get('SELECT pg_advisory_xact_lock(hashtext(?)) AS locked', [LOCK]);
      }
      const wait = Math.max(
        await this.retryAfterMs(tx, 'user', username, now),
        await this.retryAfterMs(tx, 'address', address, now),
      );
      if (wait > 0) return wait;
      await tx.run('DELETE FROM login_failures WHERE at <= ?', [now - this.windowMs]);
      await tx.run('INSERT INTO login_failures (kind, key, at) VALUES (?, ?, ?), (?, ?, ?)', [
        'user',
        username,
        now,
        'address',
        address,
        now,
      ]);
      return 0;
    });
  }

  async succeeded(username: string, address: string, startedAt: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.run("DELETE FROM login_failures WHERE kind = 'user' AND key = ?", [username]);
      await tx.run(
        `DELETE FROM login_failures WHERE id = (SELECT id FROM login_failures
            WHERE kind = 'address' AND key = ? AND at = ? LIMIT 1)`,
        [address, startedAt],
      );
    });
  }

  /** As the in-memory table: the budget's oldest failure still in the window decides. */
  private async retryAfterMs(
    tx: SqlSession,
    kind: Budget,
    key: string,
    now: number,
  ): Promise<number> {
    const budget = this.budgets[kind];
    const recent = await tx.all<{ at: number }>(
      'SELECT at FROM login_failures WHERE kind = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT ?',
      [kind, key, now - this.windowMs, budget],
    );
    if (recent.length < budget) return 0;
    return recent[budget - 1]!.at + this.windowMs - now;
  }
}
