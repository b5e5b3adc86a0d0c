/**
 * Hop-by-hop reliability, sans-IO: frames waiting for an ACK from the neighbour they were
 * handed to, each retried with exponential backoff plus random jitter (the seed's collision
 * avoidance: two nodes that collided once do not retry in lockstep) and the `attempt` byte
 * raised on every copy, until `maxAttempts` copies went unanswered.
 *
 * @example
 * const rs = new ReliableSender({ random: seededRandom(1) });
 * rs.add('k', { bytes, to: 'n2', expectFrom: 2, meta }, 0); // returns the first copy to send
 * rs.due(200); // [{ kind: 'retry', ... }] or [{ kind: 'give-up', ... }]
 */
import type { LinkPeer } from '../core/medium.ts';
import type { Random } from '../core/random.ts';

export interface ReliableSenderOptions {
  random: Random;
  /** Copies sent before giving up. @default 8 */
  maxAttempts?: number;
  /** Wait for an ACK after the first copy; doubled per attempt. @default 40 */
  ackTimeoutMs?: number;
  /** Cap on the doubled wait. @default 500 */
  maxBackoffMs?: number;
  /** Up to this much random extra wait per attempt. @default 20 */
  jitterMs?: number;
}

export interface Pending<M> {
  key: string;
  /** The encoded frame; byte 14 (attempt) is rewritten per copy, the CRC does not cover it. */
  bytes: Uint8Array;
  /** Link peer of the designated next hop, or undefined for a broadcast. */
  to: LinkPeer | undefined;
  /** Mesh address whose ACK counts; undefined accepts an ACK from any neighbour (flooding). */
  expectFrom: number | undefined;
  meta: M;
  attempt: number;
  deadline: number;
}

export type Due<M> =
  | { kind: 'retry'; pending: Pending<M>; bytes: Uint8Array }
  | { kind: 'give-up'; pending: Pending<M> };

export class ReliableSender<M> {
  private readonly random: Random;
  readonly maxAttempts: number;
  private readonly ackTimeoutMs: number;
  private readonly maxBackoffMs: number;
  private readonly jitterMs: number;
  private readonly pending = new Map<string, Pending<M>>();

  constructor(options: ReliableSenderOptions) {
    this.random = options.random;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 40;
    this.maxBackoffMs = options.maxBackoffMs ?? 500;
    this.jitterMs = options.jitterMs ?? 20;
  }

  get size(): number {
    return this.pending.size;
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Starts tracking a frame; returns the bytes of its first copy (attempt 1). */
  add(
    key: string,
    p: { bytes: Uint8Array; to: LinkPeer | undefined; expectFrom: number | undefined; meta: M },
    now: number,
  ): Uint8Array {
    const entry: Pending<M> = { key, ...p, attempt: 1, deadline: 0 };
    entry.deadline = now + this.wait(1);
    this.pending.set(key, entry);
    return copyWithAttempt(entry.bytes, 1);
  }

  /** An ACK for `key` arrived from `from`; returns the settled entry when it counts. */
  ack(key: string, from: number): Pending<M> | undefined {
    const p = this.pending.get(key);
    if (!p || (p.expectFrom !== undefined && p.expectFrom !== from)) return undefined;
    this.pending.delete(key);
    return p;
  }

  /** Drops every entry whose meta matches, e.g. a message that failed elsewhere. */
  cancelWhere(match: (meta: M) => boolean): void {
    for (const [k, p] of this.pending) if (match(p.meta)) this.pending.delete(k);
  }

  /** Retries and give-ups due at `now`. */
  due(now: number): Due<M>[] {
    const out: Due<M>[] = [];
    for (const p of this.pending.values()) {
      if (p.deadline > now) continue;
      if (p.attempt >= this.maxAttempts) {
        this.pending.delete(p.key);
        out.push({ kind: 'give-up', pending: p });
        continue;
      }
      p.attempt++;
      p.deadline = now + this.wait(p.attempt);
      out.push({ kind: 'retry', pending: p, bytes: copyWithAttempt(p.bytes, p.attempt) });
    }
    return out;
  }

  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const p of this.pending.values()) if (d === undefined || p.deadline < d) d = p.deadline;
    return d;
  }

  private wait(attempt: number): number {
    const backoff = Math.min(this.ackTimeoutMs * 2 ** (attempt - 1), this.maxBackoffMs);
    return backoff + this.random.int(this.jitterMs + 1);
  }
}

function copyWithAttempt(bytes: Uint8Array, attempt: number): Uint8Array {
  const copy = bytes.slice();
  copy[14] = attempt & 0xff;
  return copy;
}
