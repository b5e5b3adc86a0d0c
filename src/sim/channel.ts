/**
 * The simulator's radio channel: directed links with latency, bandwidth (a per-direction FIFO),
 * random and Gilbert-Elliott loss; links can be cut, healed and degraded at any time and nodes
 * switched off. It implements the LinkModel contract so it plugs into any in-memory medium.
 *
 * Nodes get a small integer index the first time a link names them; the radio's hot path works
 * on indices and link objects only (`hearers`, `transmitLink`): no string keys, no Map lookups,
 * no object per copy. The name-based methods serve faults, checks and tests.
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

/** One direction of a link. */
export interface DirectedLink {
  readonly from: number;
  readonly to: number;
  readonly params: LinkParams;
  bad: boolean;
  busyUntil: number;
  readonly rng: Random;
}

const LOST: Transmission = { delivered: false, delayMs: 0 };
const NONE: readonly DirectedLink[] = [];

export class SimChannel implements LinkModel {
  /** Node names by index, and back. */
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** Outgoing links per node index, in the order they were added. */
  private readonly out: DirectedLink[][] = [];
  private down = new Uint8Array(16);
  /** Per node index: its links to up neighbours while it is up; rebuilt after any change. */
  private hearing: Array<readonly DirectedLink[] | undefined> = [];
  private hearingNames: Array<string[] | undefined> = [];

  constructor(private readonly random: Random) {}

  /** The index of a node, or -1 when no link names it. */
  indexOf(node: string): number {
    return this.index.get(node) ?? -1;
  }

  /** Adds a link both ways; `back` gives the b -> a direction different parameters (asymmetry). */
  addLink(a: string, b: string, params: LinkParams, back: LinkParams = params): void {
    this.addDirected(a, b, { ...params });
    this.addDirected(b, a, { ...back });
  }

  hasLink(a: string, b: string): boolean {
    return this.link(a, b) !== undefined;
  }

  /** Every link as an unordered pair, once. */
  links(): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    for (const list of this.out)
      for (const l of list) {
        const a = this.names[l.from]!;
        const b = this.names[l.to]!;
        if (a < b || !this.hasLink(b, a)) pairs.push([a, b]);
      }
    return pairs;
  }

  params(a: string, b: string): LinkParams {
    const l = this.link(a, b);
    if (!l) throw new UnknownTargetError('link', `${a}-${b}`);
    return l.params;
  }

  /** Changes both directions (or one, with `oneWay`) of an existing link. */
  update(a: string, b: string, change: Partial<LinkParams>, oneWay = false): void {
    const ab = this.link(a, b);
    const ba = this.link(b, a);
    if (!ab || !ba) throw new UnknownTargetError('link', `${a}-${b}`);
    Object.assign(ab.params, change);
    if (!oneWay) Object.assign(ba.params, change);
    this.invalidate();
  }

  setNodeUp(node: string, up: boolean): void {
    this.down[this.intern(node)] = up ? 0 : 1;
    this.invalidate();
  }

  isNodeUp(node: string): boolean {
    const i = this.indexOf(node);
    return i < 0 || this.down[i] === 0;
  }

  /** True when frames can pass a -> b at all (both nodes up, link up, not total loss). */
  usable(a: string, b: string): boolean {
    const l = this.link(a, b);
    return l !== undefined && this.usableLink(l);
  }

  /** `usable` by indices, for the route check. */
  usableIndex(a: number, b: number): boolean {
    for (const l of this.out[a] ?? NONE) if (l.to === b) return this.usableLink(l);
    return false;
  }

  neighbours(from: string): Iterable<string> {
    const i = this.indexOf(from);
    if (i < 0) return [];
    let names = this.hearingNames[i];
    if (!names) {
      names = this.hearers(i).map((l) => this.names[l.to]!);
      this.hearingNames[i] = names;
    }
    return names;
  }

  /** The links from node `from` (an index) to every neighbour that can hear it now. */
  hearers(from: number): readonly DirectedLink[] {
    let list = this.hearing[from];
    if (!list) {
      const built: DirectedLink[] = [];
      if (this.down[from] === 0)
        for (const l of this.out[from] ?? NONE)
          if (l.params.up && this.down[l.to] === 0) built.push(l);
      list = built;
      this.hearing[from] = list;
    }
    return list;
  }

  transmit(from: string, to: string, bytes: number, now: number): Transmission {
    const l = this.link(from, to);
    if (!l) return LOST;
    const delay = this.transmitLink(l, bytes, now);
    return delay < 0 ? LOST : { delivered: true, delayMs: delay };
  }

  /** Decides one copy over `l`: its delay in ms, or -1 when it is lost. */
  transmitLink(l: DirectedLink, bytes: number, now: number): number {
    const p = l.params;
    if (!p.up || this.down[l.from] !== 0 || this.down[l.to] !== 0) return -1;
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
    if (lossP > 0 && l.rng.next() < lossP) return -1;
    return startAt - now + txMs + p.latencyMs;
  }

  private usableLink(l: DirectedLink): boolean {
    if (this.down[l.from] !== 0 || this.down[l.to] !== 0) return false;
    const p = l.params;
    return p.up && p.loss < 1 && !(p.burst && p.burst.lossBad >= 1 && p.burst.pBadToGood <= 0);
  }

  private link(a: string, b: string): DirectedLink | undefined {
    const i = this.indexOf(a);
    const j = this.indexOf(b);
    if (i < 0 || j < 0) return undefined;
    for (const l of this.out[i]!) if (l.to === j) return l;
    return undefined;
  }

  /** The index of a node, given one if it has none yet. */
  intern(node: string): number {
    let i = this.index.get(node);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(node);
      this.index.set(node, i);
      this.out.push([]);
      if (i >= this.down.length) {
        const grown = new Uint8Array(this.down.length * 2);
        grown.set(this.down);
        this.down = grown;
      }
    }
    return i;
  }

  private invalidate(): void {
    this.hearing = [];
    this.hearingNames = [];
  }

  private addDirected(from: string, to: string, params: LinkParams): void {
    const i = this.intern(from);
    const j = this.intern(to);
    const list = this.out[i]!;
    const link: DirectedLink = {
      from: i,
      to: j,
      params,
      bad: false,
      busyUntil: 0,
      rng: this.random.fork(`link/${from}>${to}`),
    };
    // Re-adding a link replaces it in place, as the old Map did.
    const k = list.findIndex((l) => l.to === j);
    if (k >= 0) list[k] = link;
    else list.push(link);
    this.invalidate();
  }
}
