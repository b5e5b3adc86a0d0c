/**
 * Sticky sources, like mwan3's per-rule ipset with a timeout: once a source address of a sticky
 * rule was given a WAN, its new connections keep that WAN while it stays in the rule's target
 * and the source keeps talking within `timeoutMs`.
 *
 * @example
 * const sticky = new StickyFlows();
 * sticky.lookup('default', '10.0.0.7', ['wan1', 'wan2'], 1_000); // undefined: not seen yet
 * sticky.remember('default', '10.0.0.7', 'wan2', 1_000, 600_000);
 * sticky.lookup('default', '10.0.0.7', ['wan1', 'wan2'], 2_000); // 'wan2'
 */
interface Entry {
  wan: string;
  expiresAt: number;
  timeoutMs: number;
}

export class StickyFlows {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** The remembered WAN if it is still live and allowed; refreshes its timeout as ipset does. */
  lookup(rule: string, srcIp: string, allowed: readonly string[], now: number): string | undefined {
    const key = `${rule}|${srcIp}`;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now >= e.expiresAt || !allowed.includes(e.wan)) {
      this.entries.delete(key);
      return undefined;
    }
    e.expiresAt = now + e.timeoutMs;
    return e.wan;
  }

  remember(rule: string, srcIp: string, wan: string, now: number, timeoutMs: number): void {
    this.entries.set(`${rule}|${srcIp}`, { wan, expiresAt: now + timeoutMs, timeoutMs });
  }

  /** Forgets every source pinned to `wan` (it died); returns how many were moved. */
  dropWan(wan: string): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.wan === wan) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  /** Forgets expired sources so the table stays bounded by the active ones. */
  expire(now: number): void {
    for (const [key, e] of this.entries) if (now >= e.expiresAt) this.entries.delete(key);
  }
}
