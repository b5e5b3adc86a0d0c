/**
 * The login throttle kept in the store (store-login-throttle.ts), on SQLite and on a real
 * PostgreSQL: the same budgets and retry times as the in-memory throttle, a right password
 * taking its attempt back, and concurrent attempts never admitted beyond the budget. Times are
 * given, not read from a clock.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/controller/login-throttle.ts';
import { StoreLoginThrottle } from '../../src/controller/store-login-throttle.ts';
import { storeBackends, useStore } from './store-backends.ts';

const { backends, stop } = storeBackends();
afterAll(stop);

describe.each(backends)('login throttle in the store on $name', (backend) => {
  describe.skipIf(backend.skip)('budgets', () => {
    const opened = useStore(backend);

    it('refuses a username after 5 failures within a minute, as the in-memory throttle does', async () => {
      const shared = new StoreLoginThrottle(opened().sql);
      const memory = new LoginThrottle();
      const times = [1_000, 2_000, 3_000, 4_000, 5_000];
      for (const [i, at] of times.entries()) {
        const from = `192.0.2.${i}`;
        expect(await shared.begin('ann', from, at)).toBe(0);
        expect(memory.begin('ann', from, at)).toBe(0);
      }
      // The oldest of the five leaves the window at 61 s.
      expect(await shared.begin('ann', '192.0.2.9', 6_000)).toBe(55_000);
      expect(memory.begin('ann', '192.0.2.9', 6_000)).toBe(55_000);
      // A refused attempt is not counted: at 61 s one failure has left, so one more may try.
      expect(await shared.begin('ann', '192.0.2.9', 61_000)).toBe(0);
      // Five again (2 s to 5 s, and 61 s): the one at 2 s leaves at 62 s.
      expect(await shared.begin('ann', '192.0.2.9', 61_500)).toBe(500);
      // Another username is not affected.
      expect(await shared.begin('bob', '192.0.2.9', 61_500)).toBe(0);
    });

    it('refuses an address after 20 failures, whatever the usernames', async () => {
      const shared = new StoreLoginThrottle(opened().sql);
      for (let i = 0; i < 20; i++) {
        expect(await shared.begin(`user-${i}`, '198.51.100.7', 100_000 + i)).toBe(0);
      }
      expect(await shared.begin('user-new', '198.51.100.7', 100_020)).toBe(60_000 - 20);
      expect(await shared.begin('user-new', '198.51.100.8', 100_020)).toBe(0);
    });

    it('a right password clears the username and takes its attempt back from the address', async () => {
      const shared = new StoreLoginThrottle(opened().sql, { perUser: 2, perAddress: 3 });
      expect(await shared.begin('cat', '203.0.113.1', 200_000)).toBe(0);
      expect(await shared.begin('cat', '203.0.113.1', 200_001)).toBe(0);
      expect(await shared.begin('cat', '203.0.113.1', 200_002)).toBeGreaterThan(0);
      // The second attempt had the right password.
      await shared.succeeded('cat', '203.0.113.1', 200_001);
      expect(await shared.begin('cat', '203.0.113.1', 200_003)).toBe(0);
      // The address counts the first and this one: one more, then refused.
      expect(await shared.begin('dan', '203.0.113.1', 200_004)).toBe(0);
      expect(await shared.begin('eve', '203.0.113.1', 200_005)).toBeGreaterThan(0);
    });

    it('admits no more concurrent attempts than the budget', async () => {
      // Two throttles on one store stand for two processes on one database.
      const one = new StoreLoginThrottle(opened().sql);
      const two = new StoreLoginThrottle(opened().sql);
      const waits = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? one : two).begin('fay', `192.0.2.${100 + i}`, 300_000 + i),
        ),
      );
      expect(waits.filter((w) => w === 0)).toHaveLength(5);
    });
  });
});
