/**
 * What the login route asks before it checks a password: may this username try from this
 * address now? One process alone keeps the count in memory (login-throttle.ts); controllers
 * sharing a PostgreSQL database keep it in the database (store-login-throttle.ts), so that N
 * processes behind a proxy do not give an attacker N times the attempts.
 *
 * @example
 * const gate = loginGateFor(store);
 * const wait = await gate.begin('admin', '203.0.113.9', now);
 * if (wait > 0) reply429(wait);
 * if (passwordRight) await gate.succeeded('admin', '203.0.113.9', now);
 */
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle.ts';
import type { ControllerStore } from './store/controller-store.ts';
import { StoreLoginThrottle } from './store-login-throttle.ts';

export interface LoginGate {
  /**
   * Admits an attempt and answers 0: it counts as failed from now (a slow password check must not
   * let concurrent guesses overrun the budget) until `succeeded`. Or refuses it and answers the
   * milliseconds until this username may try again from this address.
   */
  begin(username: string, address: string, now: number): number | Promise<number>;
  /** The attempt begun at `startedAt` had the right password: its failure is taken back. */
  succeeded(username: string, address: string, startedAt: number): void | Promise<void>;
}

/** In the database when several processes may share it (PostgreSQL), else in memory. */
export function loginGateFor(
  store: ControllerStore,
  options: LoginThrottleOptions = {},
): LoginGate {
  return store.dialect === 'postgres'
    ? new StoreLoginThrottle(store.sql, options)
    : new LoginThrottle(options);
}
