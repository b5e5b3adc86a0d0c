/**
 * The simulator's radio channel: directed links with latency, bandwidth (a per-direction FIFO),
 * random and Gilbert-Elliott loss; links can be cut, healed and degraded at any time and nodes
 * switched off. It implements the LinkModel contract so it plugs into any in-memory medium.
 *
 * @example
 * const ch = new SimChannel(seededRandom(1));
 * ch.addLink('a', 'b', { ...DEFAULT_LINK, loss: 0.1 });
 * ch.transmit('a', 'b', 100, 0); // { delivered: true/false, delayMs: 2 }
 */
import type { Random } from '../core/random.ts';
import type { LinkModel, Transmission } from '../transport/link-model.ts';
import { UnknownTargetError } from './errors.ts';
import type { LinkParams } from './link-params.ts';

interface DirectedLink {
  to: string;
  params: LinkParams;
  bad: boolean;
  busyUntil: number;
  rng: Random;
}

const LOST: Transmission = { delivered: false, delayMs: 0 };

export class SimChannel implements LinkModel {
  private readonly out = new Map<string, Map<string, DirectedLink>>();
  private readonly down = new Set<string>();
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly random: Random) {}

  /** Adds a link both ways; `back` gives the b -> a direction different parameters (asymmetry). */
  addLink(a: string, b: string, params: LinkParams, back: LinkParams = params): void {
    this.addDirected(a, b, { ...params });
    this.addDirected(b, a, { ...back });
  }

  hasLink(a: string, b: string): boolean {
    return this.out.get(a)?.has(b) ?? false;
  }

  /** Every link as an unordered pair, once. */
  links(): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    for (const [a, m] of this.out)
      for (const b of m.keys()) if (a < b || !this.hasLink(b, a)) pairs.push([a, b]);
    return pairs;
  }

  params(a: string, b: string): LinkParams {
    const l = this.out.get(a)?.get(b);
    if (!l) throw new UnknownTargetError('link', `${a}-${b}`);
    return l.params;
  }

  /** Changes both directions (or one, with `oneWay`) of an existing link. */
  update(a: string, b: string, change: Partial<LinkParams>, oneWay = false): void {
    const ab = this.out.get(a)?.get(b);
    const ba = this.out.get(b)?.get(a);
    if (!ab || !ba) throw new UnknownTargetError('link', `${a}-${b}`);
    Object.assign(ab.params, change);
    if (!oneWay) Object.assign(ba.params, change);
    this.cache.clear();
  }

  setNodeUp(node: string, up: boolean): void {
    if (up) this.down.delete(node);
    else this.down.add(node);
    this.cache.clear();
  }

  isNodeUp(node: string): boolean {
    return !this.down.has(node);
  }

  /** True when frames can pass a -> b at all (both nodes up, link up, not total loss). */
  usable(a: string, b: string): boolean {
    if (this.down.has(a) || this.down.has(b)) return false;
    const p = this.out.get(a)?.get(b)?.params;
    return (
      p !== undefined &&
      p.up &&
      p.loss < 1 &&
      !(p.burst && p.burst.lossBad >= 1 && p.burst.pBadToGood <= 0)
    );
  }

  neighbours(from: string): Iterable<string> {
    let list = this.cache.get(from);
    if (!list) {
      list = [];
      if (!this.down.has(from)) {
        for (const [to, l] of this.out.get(from) ?? [])
          if (l.params.up && !this.down.has(to)) list.push(to);
      }
      this.cache.set(from, list);
    }
    return list;
  }

  transmit(from: string, to: string, bytes: number, now: number): Transmission {
    const l = this.out.get(from)?.get(to);
    if (!l || !l.params.up || this.down.has(from) || this.down.has(to)) return LOST;
    const p = l.params;
    let lossP = p.loss;
    if (p.burst) {
      // Gilbert-Elliott: move the chain one step per frame, then lose with the state's rate.
      if (l.bad) {
        if (l.rng.next() < p.burst.pBadToGood) l.bad = false;
      } else if (l.rng.next() < p.burst.pGoodToBad) l.bad = true;
      if (l.bad) lossP = 1 - (1 - p.loss) * (1 - p.burst.lossBad);
    }
    // The sender's queue occupies the link even for copies the receiver then loses.
    let txMs = 0;
    let startAt = now;
    if (p.bandwidthKbps > 0) {
      txMs = (bytes * 8) / p.bandwidthKbps;
      startAt = Math.max(now, l.busyUntil);
      l.busyUntil = startAt + txMs;
    }
    if (lossP > 0 && l.rng.next() < lossP) return LOST;
    return { delivered: true, delayMs: startAt - now + txMs + p.latencyMs };
  }

  private addDirected(from: string, to: string, params: LinkParams): void {
    let m = this.out.get(from);
    if (!m) {
      m = new Map();
      this.out.set(from, m);
    }
    m.set(to, {
      to,
      params,
      bad: false,
      busyUntil: 0,
      rng: this.random.fork(`link/${from}>${to}`),
    });
    this.cache.clear();
  }
}
