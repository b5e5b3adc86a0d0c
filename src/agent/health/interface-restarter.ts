/**
 * Self-healing of a stuck interface: after `maxFailures` failed checks in a row it asks the host
 * to restart the interface (ifdown/ifup, `ubus call network.interface.X down/up`), then waits an
 * exponentially growing backoff before it may ask again, so a dead uplink is not bounced forever.
 * The backoff resets once the interface has passed checks for `resetAfterMs`.
 *
 * @example
 * const r = new InterfaceRestarter({ node: 'n1', iface: 'wan', maxFailures: 3 });
 * r.onCheck(false, 0); r.onCheck(false, 1000);
 * r.onCheck(false, 2000).restart; // true, with an 'interface-restart' event saying why
 */
import type { MeshEvent } from '../../core/events.ts';
import { HealthConfigError } from './errors.ts';

export interface InterfaceRestarterOptions {
  node: string;
  iface: string;
  /** @default 5 */
  maxFailures?: number;
  /** @default 30_000 */
  backoffBaseMs?: number;
  /** @default 900_000 */
  backoffMaxMs?: number;
  /** @default 300_000 */
  resetAfterMs?: number;
}

export class InterfaceRestarter {
  private readonly o: Required<InterfaceRestarterOptions>;
  private failures = 0;
  private restarts = 0;
  private notBefore = Number.NEGATIVE_INFINITY;
  private healthySince: number | undefined;

  constructor(options: InterfaceRestarterOptions) {
    this.o = {
      maxFailures: 5,
      backoffBaseMs: 30_000,
      backoffMaxMs: 900_000,
      resetAfterMs: 300_000,
      ...options,
    };
    for (const k of ['maxFailures', 'backoffBaseMs', 'backoffMaxMs', 'resetAfterMs'] as const) {
      if (!Number.isInteger(this.o[k]) || this.o[k] <= 0)
        throw new HealthConfigError(k, `must be a positive integer, got ${this.o[k]}`);
    }
  }

  /** Restarts asked for since the last reset of the backoff. */
  get restartCount(): number {
    return this.restarts;
  }

  onCheck(ok: boolean, now: number): { restart: boolean; events: MeshEvent[] } {
    if (ok) {
      this.failures = 0;
      this.healthySince ??= now;
      if (this.restarts > 0 && now - this.healthySince >= this.o.resetAfterMs) this.restarts = 0;
      return { restart: false, events: [] };
    }
    this.healthySince = undefined;
    this.failures++;
    if (this.failures < this.o.maxFailures || now < this.notBefore)
      return { restart: false, events: [] };
    const backoff = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** this.restarts);
    this.restarts++;
    this.failures = 0;
    this.notBefore = now + backoff;
    return {
      restart: true,
      events: [
        {
          at: now,
          node: this.o.node,
          kind: 'interface-restart',
          subject: this.o.iface,
          from: 'stuck',
          to: 'restarting',
          reason: `${this.o.maxFailures} failed checks in a row; restart ${this.restarts}, next one not before ${this.notBefore}`,
        },
      ],
    };
  }
}
