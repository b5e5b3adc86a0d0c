/**
 * Puts fragmented messages back together across reordering, duplicates and loss. Memory is
 * bounded per sending peer (messages and bytes) and in total; an incomplete message is
 * dropped when no fragment arrived for `timeoutMs`, and the oldest incomplete message goes
 * first when a bound is hit.
 *
 * @example
 * const r = new Reassembler();
 * r.add({ src: 7, type: 9, sequence: 3, fragment: 2, fragments: 2, data: b }, 0); // undefined
 * r.add({ src: 7, type: 9, sequence: 3, fragment: 1, fragments: 2, data: a }, 5); // a+b
 */
export interface ReassemblerOptions {
  /** Drop an incomplete message after this long without a new fragment. @default 10000 */
  timeoutMs?: number;
  /** Incomplete messages held per sending peer. @default 4 */
  maxMessagesPerPeer?: number;
  /** Bytes held per sending peer. @default 65536 */
  maxBytesPerPeer?: number;
  /** Bytes held in total. @default 262144 */
  maxBytesTotal?: number;
}

export interface FragmentIn {
  src: number;
  type: number;
  sequence: number;
  fragment: number;
  fragments: number;
  data: Uint8Array;
}

export type ReassemblyDrop = 'timeout' | 'peer-limit' | 'total-limit' | 'inconsistent';

interface PeerState {
  messages: number;
  bytes: number;
  /** This peer's partials, oldest first. */
  partials: Map<string, Partial>;
}

interface Partial {
  key: string;
  src: number;
  fragments: number;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  lastAt: number;
}

export class Reassembler {
  private readonly timeoutMs: number;
  private readonly maxMessagesPerPeer: number;
  private readonly maxBytesPerPeer: number;
  private readonly maxBytesTotal: number;
  // Insertion order = age order; a message is re-inserted whenever a fragment arrives.
  private readonly partials = new Map<string, Partial>();
  private totalBytes = 0;
  private readonly perPeer = new Map<number, PeerState>();
  /** Why incomplete messages were dropped, for stats and tests. */
  readonly drops: Record<ReassemblyDrop, number> = {
    timeout: 0,
    'peer-limit': 0,
    'total-limit': 0,
    inconsistent: 0,
  };

  constructor(options: ReassemblerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxMessagesPerPeer = options.maxMessagesPerPeer ?? 4;
    this.maxBytesPerPeer = options.maxBytesPerPeer ?? 65_536;
    this.maxBytesTotal = options.maxBytesTotal ?? 262_144;
  }

  /** Bytes currently held for incomplete messages. */
  get bytesHeld(): number {
    return this.totalBytes;
  }

  get messagesHeld(): number {
    return this.partials.size;
  }

  /** Adds a fragment; returns the whole message when this fragment completes it. */
  add(f: FragmentIn, now: number): Uint8Array | undefined {
    this.expire(now);
    if (f.fragments === 1) return f.data.slice();
    const key = `${f.src}:${f.type}:${f.sequence}`;
    let p = this.partials.get(key);
    if (p && p.fragments !== f.fragments) {
      // Same identity, different shape: a stale message whose sequence came round again.
      this.remove(p, 'inconsistent');
      p = undefined;
    }
    if (!p) {
      p = {
        key,
        src: f.src,
        fragments: f.fragments,
        parts: new Array<Uint8Array | undefined>(f.fragments),
        received: 0,
        bytes: 0,
        lastAt: now,
      };
      this.makeRoomForMessage(f.src);
      this.partials.set(key, p);
      const ps = this.peer(f.src);
      ps.messages++;
      ps.partials.set(key, p);
    }
    const index = f.fragment - 1;
    if (p.parts[index] !== undefined) return undefined;
    this.makeRoomForBytes(p, f.data.length);
    if (!this.partials.has(key)) return undefined;
    p.parts[index] = f.data.slice();
    p.received++;
    p.bytes += f.data.length;
    this.totalBytes += f.data.length;
    const ps = this.peer(f.src);
    ps.bytes += f.data.length;
    p.lastAt = now;
    this.partials.delete(key);
    this.partials.set(key, p);
    ps.partials.delete(key);
    ps.partials.set(key, p);
    if (p.received < p.fragments) return undefined;
    const out = new Uint8Array(p.bytes);
    let off = 0;
    for (const part of p.parts) {
      out.set(part!, off);
      off += part!.length;
    }
    this.remove(p, undefined);
    return out;
  }

  /** Drops incomplete messages idle for longer than the timeout. */
  expire(now: number): void {
    for (const p of this.partials.values()) {
      if (now - p.lastAt < this.timeoutMs) break;
      this.remove(p, 'timeout');
    }
  }

  /** When the oldest incomplete message times out, or undefined when none is held. */
  nextDeadline(): number | undefined {
    const first = this.partials.values().next().value;
    return first ? first.lastAt + this.timeoutMs : undefined;
  }

  private peer(src: number): PeerState {
    let s = this.perPeer.get(src);
    if (!s) {
      s = { messages: 0, bytes: 0, partials: new Map() };
      this.perPeer.set(src, s);
    }
    return s;
  }

  private oldestOf(src: number, except?: Partial): Partial | undefined {
    const ps = this.perPeer.get(src);
    if (!ps) return undefined;
    for (const p of ps.partials.values()) if (p !== except) return p;
    return undefined;
  }

  private makeRoomForMessage(src: number): void {
    while ((this.perPeer.get(src)?.messages ?? 0) >= this.maxMessagesPerPeer) {
      const victim = this.oldestOf(src);
      if (!victim) break;
      this.remove(victim, 'peer-limit');
    }
  }

  private makeRoomForBytes(p: Partial, n: number): void {
    while ((this.perPeer.get(p.src)?.bytes ?? 0) + n > this.maxBytesPerPeer) {
      const victim = this.oldestOf(p.src, p) ?? p;
      this.remove(victim, 'peer-limit');
      if (victim === p) return;
    }
    while (this.totalBytes + n > this.maxBytesTotal) {
      let victim: Partial | undefined;
      for (const q of this.partials.values()) {
        if (q !== p) {
          victim = q;
          break;
        }
      }
      victim ??= p;
      this.remove(victim, 'total-limit');
      if (victim === p) return;
    }
  }

  private remove(p: Partial, why: ReassemblyDrop | undefined): void {
    if (!this.partials.delete(p.key)) return;
    if (why) this.drops[why]++;
    this.totalBytes -= p.bytes;
    const s = this.peer(p.src);
    s.messages--;
    s.bytes -= p.bytes;
    s.partials.delete(p.key);
    if (s.messages === 0) this.perPeer.delete(p.src);
  }
}
