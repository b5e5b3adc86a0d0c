/**
 * How many bytes of retained messages each login keeps in the broker, and all of them together.
 * A retained message lives in the broker's memory until replaced, so without a bound one node
 * could park 100 MB there. A retained publish is admitted when, after it replaces what its topic
 * held, its owner and the total stay within their budgets; an empty one (which deletes) always is.
 * Sans-IO: the broker asks before it stores.
 *
 * @example
 * const budget = new RetainedBudget({ maxBytesPerClient: 1_048_576, maxBytesTotal: 67_108_864 });
 * budget.admit('node-3', 'intelli-mesh/lab/node/node-3/state', 2_000); // true
 */

export interface RetainedLimits {
  /** Retained bytes (topic and payload) one login may keep. */
  maxBytesPerClient: number;
  /** Retained bytes all logins together may keep. */
  maxBytesTotal: number;
}

export class RetainedBudget {
  private readonly topics = new Map<string, { owner: string; bytes: number }>();
  private readonly byOwner = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: RetainedLimits) {}

  /** Whether `owner` may retain `payloadBytes` on `topic`; if so, the budget counts it. */
  admit(owner: string, topic: string, payloadBytes: number): boolean {
    const before = this.topics.get(topic);
    if (payloadBytes === 0) {
      if (before) this.release(topic, before);
      return true;
    }
    const bytes = Buffer.byteLength(topic) + payloadBytes;
    const freedOwn = before?.owner === owner ? before.bytes : 0;
    const ownerAfter = (this.byOwner.get(owner) ?? 0) - freedOwn + bytes;
    const totalAfter = this.total - (before?.bytes ?? 0) + bytes;
    if (ownerAfter > this.limits.maxBytesPerClient || totalAfter > this.limits.maxBytesTotal) {
      return false;
    }
    if (before) this.release(topic, before);
    this.topics.set(topic, { owner, bytes });
    this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + bytes);
    this.total += bytes;
    return true;
  }

  /** Bytes retained by `owner`, or by everyone. */
  bytes(owner?: string): number {
    return owner === undefined ? this.total : (this.byOwner.get(owner) ?? 0);
  }

  private release(topic: string, held: { owner: string; bytes: number }): void {
    this.topics.delete(topic);
    const left = (this.byOwner.get(held.owner) ?? 0) - held.bytes;
    if (left > 0) this.byOwner.set(held.owner, left);
    else this.byOwner.delete(held.owner);
    this.total -= held.bytes;
  }
}
