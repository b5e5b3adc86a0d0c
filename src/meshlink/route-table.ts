/**
 * What a node learns from the frames it hears, with bounded memory:
 * - neighbours: mesh address of a transmitter -> the link peer it was heard on;
 * - return paths: the seed's "first degree of separation" — to reach `src`, hand the frame to
 *   the neighbour it last came through (`hop`), preferring fewer hops and fresh entries.
 *
 * @example
 * const t = new RouteTable({ ttlMs: 60_000 });
 * t.heard({ transmitter: 3, linkPeer: 'n3', src: 9, hops: 2 }, now);
 * t.nextHop(9, now); // 3
 * t.linkPeer(3, now); // 'n3'
 */
import type { LinkPeer } from '../core/medium.ts';

export interface RouteTableOptions {
  /** Forget a neighbour or a return path not refreshed for this long. @default 60000 */
  ttlMs?: number;
  /** Most entries in each table (oldest evicted). @default 1024 */
  capacity?: number;
}

export interface Heard {
  transmitter: number;
  linkPeer: LinkPeer;
  src: number;
  hops: number;
}

interface Neighbour {
  linkPeer: LinkPeer;
  at: number;
}

interface Route {
  via: number;
  hops: number;
  at: number;
}

export class RouteTable {
  private readonly ttlMs: number;
  private readonly capacity: number;
  private readonly neighbourMap = new Map<number, Neighbour>();
  private readonly routes = new Map<number, Route>();

  constructor(options: RouteTableOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.capacity = options.capacity ?? 1024;
  }

  heard(h: Heard, now: number): void {
    bounded(this.neighbourMap, h.transmitter, { linkPeer: h.linkPeer, at: now }, this.capacity);
    if (h.src === h.transmitter) {
      bounded(this.routes, h.src, { via: h.src, hops: 0, at: now }, this.capacity);
      return;
    }
    const old = this.routes.get(h.src);
    // A shorter or equal path replaces the old one; a longer one only once the old has aged.
    if (!old || h.hops <= old.hops || now - old.at >= this.ttlMs / 2 || old.via === h.transmitter) {
      bounded(this.routes, h.src, { via: h.transmitter, hops: h.hops, at: now }, this.capacity);
    }
  }

  /** The neighbour to hand a frame for `dst` to, from learned return paths. */
  nextHop(dst: number, now: number): number | undefined {
    const r = this.routes.get(dst);
    if (!r) return undefined;
    if (now - r.at >= this.ttlMs) {
      this.routes.delete(dst);
      return undefined;
    }
    return r.via;
  }

  linkPeer(address: number, now: number): LinkPeer | undefined {
    const n = this.neighbourMap.get(address);
    if (!n) return undefined;
    if (now - n.at >= this.ttlMs) {
      this.neighbourMap.delete(address);
      return undefined;
    }
    return n.linkPeer;
  }

  /** Addresses heard directly within the TTL, ascending. */
  neighbours(now: number): number[] {
    const out: number[] = [];
    for (const [a, n] of this.neighbourMap) if (now - n.at < this.ttlMs) out.push(a);
    return out.sort((x, y) => x - y);
  }

  /** Forgets the return path to `dst` (its next hop failed), so the next frame floods. */
  forget(dst: number): void {
    this.routes.delete(dst);
  }
}

function bounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  if (map.size >= capacity) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
