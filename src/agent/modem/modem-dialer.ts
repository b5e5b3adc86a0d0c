/**
 * The sans-IO dial state machine of a 4G modem WAN. It asks the host to run commands
 * (`register`, `connect`, `disconnect`) and is told what happened; failures are retried with
 * exponential backoff and jitter drawn from an injected Random, and after `maxAttempts` in a row
 * the modem is `failed` until `failedCooldownMs` has passed (then it starts over).
 *
 * States: idle -> registering -> connecting -> connected; any failure -> backoff -> registering;
 * too many failures -> failed -> (cooldown) -> registering. `stop()` returns to idle.
 *
 * @example
 * const d = new ModemDialer({ node: 'n1', wan: 'lte', random: seededRandom(1) });
 * d.start(0);                              // { commands: [{ kind: 'register' }], events: [...] }
 * d.onRegistration(true, 'home', 1_500);   // { commands: [{ kind: 'connect' }], ... }
 * d.onConnectResult(true, 'bearer 0', 3_000); // state 'connected'
 */
import type { MeshEvent } from '../../core/events.ts';
import type { Random } from '../../core/random.ts';
import { IntelliMeshError } from '../../core/errors.ts';

export type DialState = 'idle' | 'registering' | 'connecting' | 'connected' | 'backoff' | 'failed';

export type DialCommand = { kind: 'register' } | { kind: 'connect' } | { kind: 'disconnect' };

export interface DialOutput {
  commands: DialCommand[];
  events: MeshEvent[];
}

export interface ModemDialerOptions {
  node: string;
  wan: string;
  random: Random;
  /** @default 60_000 */
  registerTimeoutMs?: number;
  /** @default 30_000 */
  connectTimeoutMs?: number;
  /** @default 2_000 */
  backoffBaseMs?: number;
  /** @default 120_000 */
  backoffMaxMs?: number;
  /** @default 5 */
  maxAttempts?: number;
  /** @default 600_000 */
  failedCooldownMs?: number;
}

/** A dialer option out of range. */
export class ModemConfigError extends IntelliMeshError {}

export class ModemDialer {
  private readonly o: Required<Omit<ModemDialerOptions, 'random'>>;
  private readonly random: Random;
  private s: DialState = 'idle';
  private deadline: number | undefined;
  private attempts = 0;

  constructor(options: ModemDialerOptions) {
    this.random = options.random;
    this.o = {
      node: options.node,
      wan: options.wan,
      registerTimeoutMs: options.registerTimeoutMs ?? 60_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
      backoffBaseMs: options.backoffBaseMs ?? 2_000,
      backoffMaxMs: options.backoffMaxMs ?? 120_000,
      maxAttempts: options.maxAttempts ?? 5,
      failedCooldownMs: options.failedCooldownMs ?? 600_000,
    };
    for (const [k, v] of Object.entries(this.o)) {
      if (typeof v === 'number' && (!Number.isInteger(v) || v <= 0)) {
        throw new ModemConfigError(
          `modem dialer option '${k}' must be a positive integer, got ${v}`,
        );
      }
    }
    if (this.o.backoffMaxMs < this.o.backoffBaseMs) {
      throw new ModemConfigError(`modem dialer option 'backoffMaxMs' must be >= backoffBaseMs`);
    }
  }

  get state(): DialState {
    return this.s;
  }

  /** Failed attempts in a row since the last connection. */
  get failures(): number {
    return this.attempts;
  }

  nextWakeAt(): number | undefined {
    return this.deadline;
  }

  start(now: number): DialOutput {
    if (this.s !== 'idle') return { commands: [], events: [] };
    this.attempts = 0;
    return this.register(now, 'dial requested');
  }

  stop(now: number): DialOutput {
    if (this.s === 'idle') return { commands: [], events: [] };
    const wasUp = this.s === 'connected' || this.s === 'connecting';
    const events = this.go(now, 'idle', 'stop requested');
    this.deadline = undefined;
    return { commands: wasUp ? [{ kind: 'disconnect' }] : [], events };
  }

  /** Registration news from the modem (ModemManager state, uqmi serving system). */
  onRegistration(registered: boolean, detail: string, now: number): DialOutput {
    if (this.s === 'registering' && registered) {
      this.deadline = now + this.o.connectTimeoutMs;
      return {
        commands: [{ kind: 'connect' }],
        events: this.go(now, 'connecting', `registered (${detail})`),
      };
    }
    if (!registered && (this.s === 'connecting' || this.s === 'connected')) {
      return this.fail(now, `registration lost (${detail})`, this.s === 'connected');
    }
    return { commands: [], events: [] };
  }

  onConnectResult(ok: boolean, detail: string, now: number): DialOutput {
    if (this.s !== 'connecting') return { commands: [], events: [] };
    if (!ok) return this.fail(now, `connect failed (${detail})`, false);
    this.attempts = 0;
    this.deadline = undefined;
    return { commands: [], events: this.go(now, 'connected', `data session up (${detail})`) };
  }

  /** The data session dropped on its own (bearer disconnected, modem reset). */
  onDisconnected(detail: string, now: number): DialOutput {
    if (this.s !== 'connected') return { commands: [], events: [] };
    return this.fail(now, `data session lost (${detail})`, false);
  }

  /** Fires timeouts and the end of a backoff or cooldown. */
  tick(now: number): DialOutput {
    if (this.deadline === undefined || now < this.deadline) return { commands: [], events: [] };
    switch (this.s) {
      case 'registering':
        return this.fail(now, `not registered within ${this.o.registerTimeoutMs} ms`, false);
      case 'connecting':
        return this.fail(now, `no data session within ${this.o.connectTimeoutMs} ms`, true);
      case 'backoff':
        return this.register(now, `retry ${this.attempts} of ${this.o.maxAttempts - 1}`);
      case 'failed':
        this.attempts = 0;
        return this.register(now, `cooldown of ${this.o.failedCooldownMs} ms over`);
      default:
        return { commands: [], events: [] };
    }
  }

  /** Backoff before retry `attempt` (1-based): base × 2^(attempt-1), capped, ±50 % jitter. */
  backoffMs(attempt: number): number {
    const raw = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(raw * (0.5 + this.random.next()));
  }

  private register(now: number, reason: string): DialOutput {
    this.deadline = now + this.o.registerTimeoutMs;
    return { commands: [{ kind: 'register' }], events: this.go(now, 'registering', reason) };
  }

  private fail(now: number, reason: string, disconnect: boolean): DialOutput {
    this.attempts++;
    const commands: DialCommand[] = disconnect ? [{ kind: 'disconnect' }] : [];
    if (this.attempts >= this.o.maxAttempts) {
      this.deadline = now + this.o.failedCooldownMs;
      return {
        commands,
        events: this.go(
          now,
          'failed',
          `${reason}; ${this.attempts} failures in a row, cooling down ${this.o.failedCooldownMs} ms`,
        ),
      };
    }
    const wait = this.backoffMs(this.attempts);
    this.deadline = now + wait;
    return { commands, events: this.go(now, 'backoff', `${reason}; retry in ${wait} ms`) };
  }

  private go(at: number, to: DialState, reason: string): MeshEvent[] {
    const from = this.s;
    this.s = to;
    return [{ at, node: this.o.node, kind: 'modem-state', subject: this.o.wan, from, to, reason }];
  }
}
