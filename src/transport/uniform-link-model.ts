/**
 * The default LinkModel of the memory hub: explicit links (or a full mesh / line), each with a
 * loss rate, a fixed latency and a uniform jitter, decided by a seeded Random so a run replays
 * exactly. Links can be cut, healed and re-tuned while a test runs.
 *
 * @example
 * const model = UniformLinkModel.line(['A', 'B', 'C', 'D', 'E'], { lossRate: 0.1, seed: 7 });
 * model.cut('B', 'C'); // the line splits in two
 * model.heal('B', 'C');
 */
import { seededRandom, type Random } from '../core/random.ts';
import { InvalidMediumOptionError } from './errors.ts';
import type { LinkModel, Transmission } from './link-model.ts';

export interface UniformLinkOptions {
  /** Probability in [0, 1] that one copy is lost. @default 0 */
  lossRate?: number;
  /** Fixed one-way delay in milliseconds. @default 1 */
  latencyMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs). @default 0 */
  jitterMs?: number;
}

export interface UniformLinkModelOptions extends UniformLinkOptions {
  /** Undirected links; both directions get the default options. @default [] */
  links?: Iterable<readonly [string, string]>;
  /** Seed of the random stream; ignored when `random` is given. @default 1 */
  seed?: number;
  /** The random stream to fork per directed link. @default seededRandom(seed) */
  random?: Random;
  /**
   * Whether a later copy may overtake an earlier one on the same directed link when jitter
   * says so. A radio hop is a FIFO, so by default it may not. @default false
   */
  reorder?: boolean;
}

interface DirectedLink {
  up: boolean;
  lossRate: number;
  latencyMs: number;
  jitterMs: number;
  /** Own stream per direction, so traffic on one link never shifts the draws of another. */
  readonly rng: Random;
  /** Arrival time of the latest delivered copy, to keep the link FIFO. */
  lastArrival: number;
}

const LOST: Transmission = Object.freeze({ delivered: false, delayMs: 0 });
const NONE: readonly string[] = Object.freeze([]);

/** Drops keys set to undefined, so `{ lossRate: undefined }` does not erase a default. */
function defined(options: UniformLinkOptions): UniformLinkOptions {
  const out: UniformLinkOptions = {};
  if (options.lossRate !== undefined) out.lossRate = options.lossRate;
  if (options.latencyMs !== undefined) out.latencyMs = options.latencyMs;
  if (options.jitterMs !== undefined) out.jitterMs = options.jitterMs;
  return out;
}

function checkOptions(options: UniformLinkOptions): void {
  const { lossRate, latencyMs, jitterMs } = options;
  if (lossRate !== undefined && !(lossRate >= 0 && lossRate <= 1)) {
    throw new InvalidMediumOptionError('lossRate', lossRate, 'a probability in [0, 1]');
  }
  if (latencyMs !== undefined && !(latencyMs >= 0 && Number.isFinite(latencyMs))) {
    throw new InvalidMediumOptionError('latencyMs', latencyMs, 'a finite number >= 0');
  }
  if (jitterMs !== undefined && !(jitterMs >= 0 && Number.isFinite(jitterMs))) {
    throw new InvalidMediumOptionError('jitterMs', jitterMs, 'a finite number >= 0');
  }
}

export class UniformLinkModel implements LinkModel {
  private readonly defaults: Required<UniformLinkOptions>;
  private readonly random: Random;
  private readonly reorder: boolean;
  private readonly out = new Map<string, Map<string, DirectedLink>>();
  /** Neighbour lists are read on every broadcast, so they are cached until a link changes. */
  private readonly cache = new Map<string, readonly string[]>();

  constructor(options: UniformLinkModelOptions = {}) {
    checkOptions(options);
    this.defaults = {
      lossRate: options.lossRate ?? 0,
      latencyMs: options.latencyMs ?? 1,
      jitterMs: options.jitterMs ?? 0,
    };
    this.random = options.random ?? seededRandom(options.seed ?? 1);
    this.reorder = options.reorder ?? false;
    for (const [a, b] of options.links ?? []) this.link(a, b);
  }

  /** A chain: each name linked to the next one. */
  static line(names: readonly string[], options: UniformLinkModelOptions = {}): UniformLinkModel {
    const links: [string, string][] = [];
    for (let i = 1; i < names.length; i++) links.push([names[i - 1]!, names[i]!]);
    return new UniformLinkModel({ ...options, links: [...(options.links ?? []), ...links] });
  }

  /** Every name linked to every other one. */
  static fullMesh(
    names: readonly string[],
    options: UniformLinkModelOptions = {},
  ): UniformLinkModel {
    const links: [string, string][] = [];
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) links.push([names[i]!, names[j]!]);
    }
    return new UniformLinkModel({ ...options, links: [...(options.links ?? []), ...links] });
  }

  /** Adds (or re-tunes) the undirected link a–b, up, with `options` over the defaults. */
  link(a: string, b: string, options: UniformLinkOptions = {}): this {
    if (a === b) throw new InvalidMediumOptionError('link', `${a}-${b}`, 'two distinct nodes');
    checkOptions(options);
    this.setDirected(a, b, options);
    this.setDirected(b, a, options);
    return this;
  }

  /** Removes the link a–b entirely (both directions). */
  unlink(a: string, b: string): this {
    this.out.get(a)?.delete(b);
    this.out.get(b)?.delete(a);
    this.invalidate(a, b);
    return this;
  }

  /** Takes the link a–b down in both directions; its options are kept for `heal`. */
  cut(a: string, b: string): this {
    return this.setUp(a, b, false);
  }

  /** Brings a cut link a–b back up. */
  heal(a: string, b: string): this {
    return this.setUp(a, b, true);
  }

  /** Changes loss, latency or jitter of one direction only (asymmetric links). */
  tune(from: string, to: string, options: UniformLinkOptions): this {
    checkOptions(options);
    const link = this.out.get(from)?.get(to);
    if (!link) throw new InvalidMediumOptionError('tune', `${from}->${to}`, 'an existing link');
    Object.assign(link, defined(options));
    return this;
  }

  /** True when `to` can hear `from` right now. */
  isUp(from: string, to: string): boolean {
    return this.out.get(from)?.get(to)?.up ?? false;
  }

  neighbours(from: string): readonly string[] {
    let list = this.cache.get(from);
    if (list === undefined) {
      const links = this.out.get(from);
      list = links ? [...links].filter(([, l]) => l.up).map(([to]) => to) : NONE;
      this.cache.set(from, list);
    }
    return list;
  }

  transmit(from: string, to: string, _bytes: number, now: number): Transmission {
    const link = this.out.get(from)?.get(to);
    if (link === undefined || !link.up) return LOST;
    if (link.lossRate > 0 && link.rng.next() < link.lossRate) return LOST;
    let arrival = now + link.latencyMs;
    if (link.jitterMs > 0) arrival += link.rng.next() * link.jitterMs;
    if (!this.reorder && arrival < link.lastArrival) arrival = link.lastArrival;
    link.lastArrival = arrival;
    return { delivered: true, delayMs: arrival - now };
  }

  private setDirected(from: string, to: string, given: UniformLinkOptions): void {
    const options = defined(given);
    let links = this.out.get(from);
    if (!links) this.out.set(from, (links = new Map()));
    const existing = links.get(to);
    if (existing) {
      Object.assign(existing, options, { up: true });
    } else {
      links.set(to, {
        up: true,
        ...this.defaults,
        ...options,
        rng: this.random.fork(`${from}>${to}`),
        lastArrival: Number.NEGATIVE_INFINITY,
      });
    }
    this.cache.delete(from);
  }

  private setUp(a: string, b: string, up: boolean): this {
    const ab = this.out.get(a)?.get(b);
    const ba = this.out.get(b)?.get(a);
    if (!ab || !ba) {
      throw new InvalidMediumOptionError(up ? 'heal' : 'cut', `${a}-${b}`, 'an existing link');
    }
    ab.up = up;
    ba.up = up;
    this.invalidate(a, b);
    return this;
  }

  private invalidate(a: string, b: string): void {
    this.cache.delete(a);
    this.cache.delete(b);
  }
}
