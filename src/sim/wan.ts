/**
 * A node's simulated WAN uplink (ethernet, 4G): up, down, or a silent blackhole that looks up
 * but passes nothing; with latency, random loss and bandwidth. The agent's health checks probe
 * it; traffic to the internet leaves through it.
 *
 * @example
 * const wan = new SimWan('wan0', { latencyMs: 20, loss: 0, bandwidthKbps: 50_000 }, rng);
 * wan.setState('blackhole');
 * wan.transmit(64, 0).delivered; // false, though wan.linkUp is true
 */
import type { Random } from '../core/random.ts';
import type { Transmission } from '../transport/link-model.ts';

export type WanState = 'up' | 'down' | 'blackhole';

export interface WanParams {
  latencyMs: number;
  loss: number;
  /** 0 means unlimited. */
  bandwidthKbps: number;
}

export class SimWan {
  private stateValue: WanState = 'up';
  private busyUntil = 0;
  private readonly listeners = new Set<(state: WanState) => void>();

  constructor(
    readonly name: string,
    readonly params: WanParams,
    private readonly rng: Random,
  ) {}

  get state(): WanState {
    return this.stateValue;
  }

  /** What the node's interface reports: carrier is present unless the WAN is down. */
  get linkUp(): boolean {
    return this.stateValue !== 'down';
  }

  setState(state: WanState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const l of [...this.listeners]) l(state);
  }

  /** Tells `listener` of every state change (a platform turns them into carrier news). */
  onStateChange(listener: (state: WanState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  degrade(change: Partial<WanParams>): void {
    Object.assign(this.params, change);
  }

  /** Fate of one packet of `bytes` sent upstream at `now` (round trip = twice the delay). */
  transmit(bytes: number, now: number): Transmission {
    if (this.stateValue !== 'up') return { delivered: false, delayMs: 0 };
    let start = now;
    let txMs = 0;
    if (this.params.bandwidthKbps > 0) {
      txMs = (bytes * 8) / this.params.bandwidthKbps;
      start = Math.max(now, this.busyUntil);
      this.busyUntil = start + txMs;
    }
    if (this.params.loss > 0 && this.rng.next() < this.params.loss)
      return { delivered: false, delayMs: 0 };
    return { delivered: true, delayMs: start - now + txMs + this.params.latencyMs };
  }
}
