/**
 * A simulated 4G modem under the agent's real dial state machine (`ModemDialer`): registration
 * takes 1.5 s and the data session 1 s when the cell has coverage; without coverage the modem
 * never registers and the dialer times out and backs off. The WAN's carrier follows the data
 * session, so the node's agent sees the modem WAN come and go as on a router.
 *
 * @example
 * const modem = new SimModem({ node: 'n0', wan, scheduler, random, coverage: () => true, onEvent });
 * modem.start();   // registering -> connecting -> connected; the WAN is up 2.5 s later
 * modem.coverageChanged(false); // data session lost, WAN down, dialer backs off
 */
import type { MeshEvent } from '../core/events.ts';
import type { Random } from '../core/random.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import { ModemDialer, type DialOutput, type DialState } from '../agent/modem/modem-dialer.ts';
import type { SimWan } from '../sim/wan.ts';

export interface SimModemOptions {
  node: string;
  wan: SimWan;
  scheduler: Scheduler;
  random: Random;
  /** Whether the cell is reachable now (the demo's fault panel switches it). */
  coverage: () => boolean;
  onEvent: (e: MeshEvent) => void;
  /** @default 1500 */
  registerDelayMs?: number;
  /** @default 1000 */
  connectDelayMs?: number;
}

export class SimModem {
  private readonly dialer: ModemDialer;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly o: SimModemOptions) {
    this.dialer = new ModemDialer({
      node: o.node,
      wan: o.wan.name,
      random: o.random,
      registerTimeoutMs: 5_000,
      connectTimeoutMs: 5_000,
      backoffBaseMs: 1_000,
      backoffMaxMs: 8_000,
      maxAttempts: 5,
      failedCooldownMs: 30_000,
    });
  }

  get state(): DialState {
    return this.dialer.state;
  }

  start(): void {
    this.o.wan.setState('down');
    this.run(this.dialer.start(this.o.scheduler.now()));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.o.wan.setState('down');
  }

  /** The cell appeared or vanished. */
  coverageChanged(covered: boolean): void {
    if (this.stopped) return;
    const now = this.o.scheduler.now();
    if (!covered && this.dialer.state === 'connected') {
      this.o.wan.setState('down');
      this.run(this.dialer.onRegistration(false, 'no cell in range', now));
    } else if (covered && this.dialer.state === 'registering') {
      this.later(this.o.registerDelayMs ?? 1500, () => this.register());
    }
  }

  private register(): void {
    if (!this.o.coverage() || this.dialer.state !== 'registering') return;
    this.run(this.dialer.onRegistration(true, 'home network', this.o.scheduler.now()));
  }

  private run(out: DialOutput): void {
    for (const e of out.events) this.o.onEvent(e);
    for (const c of out.commands) {
      switch (c.kind) {
        case 'register':
          this.later(this.o.registerDelayMs ?? 1500, () => this.register());
          break;
        case 'connect':
          this.later(this.o.connectDelayMs ?? 1000, () => {
            const ok = this.o.coverage();
            const out = this.dialer.onConnectResult(
              ok,
              ok ? 'bearer 0, IPv4' : 'no service',
              this.o.scheduler.now(),
            );
            if (ok && this.dialer.state === 'connected') this.o.wan.setState('up');
            this.run(out);
          });
          break;
        case 'disconnect':
          this.o.wan.setState('down');
          break;
      }
    }
    this.arm();
  }

  private later(ms: number, fn: () => void): void {
    this.o.scheduler.after(ms, () => {
      if (!this.stopped) fn();
    });
  }

  private arm(): void {
    this.timer?.cancel();
    const at = this.dialer.nextWakeAt();
    if (at === undefined || this.stopped) return;
    this.timer = this.o.scheduler.after(Math.max(0, at - this.o.scheduler.now()), () => {
      if (this.stopped) return;
      this.run(this.dialer.tick(this.o.scheduler.now()));
    });
  }
}
