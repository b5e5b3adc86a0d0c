/**
 * Checks the forwarding state of the whole network at one instant: for every destination,
 * follows each node's next hops and classifies the walk. A pair counts as "connected" when
 * both nodes are up and joined by links usable in both directions (B.A.T.M.A.N. only uses
 * bidirectional links); it is "routable" when the walk reaches the destination over usable
 * links. A walk that revisits a node is a forwarding loop.
 *
 * Each destination costs O(nodes): walks stop at nodes already classified for it.
 * `checkRoutes` checks everything; `RouteChecker` keeps each destination's result and re-checks
 * only the destinations some node changed its route to since (the simulator tells it from the
 * engines' route-change events), and everything after a fault (links, nodes, components).
 *
 * @example
 * const r = checkRoutes(names, channel, (src, dst) => nextHopIndex(src, dst));
 * r.unroutable; // 0 once converged
 */
import type { SimChannel } from './channel.ts';

export interface RouteCheck {
  connectedPairs: number;
  unroutable: number;
  /** Pairs (src, dst) whose walk loops, as `${src}>${dst}`. */
  loops: string[];
}

/** `nextHop(src, dst)` gives the index of src's next hop towards dst, or undefined. */
export type NextHopIndex = (src: number, dst: number) => number | undefined;

/** What one destination contributes to a RouteCheck. */
interface DestinationResult {
  connected: number;
  unroutable: number;
  loops: string[];
}

const NO_LOOPS: string[] = [];

/** The network's nodes up or down, and its components over links usable both ways. */
class Snapshot {
  readonly up: boolean[];
  readonly comp: Int32Array;
  private readonly ch: Int32Array;
  readonly state: Uint8Array;
  readonly onPath: Int32Array;
  readonly path: number[] = [];

  constructor(
    readonly names: readonly string[],
    readonly channel: SimChannel,
  ) {
    const n = names.length;
    this.up = names.map((name) => channel.isNodeUp(name));
    // The channel numbers nodes its own way: usable() by its indices avoids Map lookups a hop.
    this.ch = Int32Array.from(names, (name) => channel.intern(name));
    this.comp = new Int32Array(n).fill(-1);
    this.state = new Uint8Array(n);
    this.onPath = new Int32Array(n).fill(-1);
    const index = new Map(names.map((name, i) => [name, i]));
    let comps = 0;
    for (let s = 0; s < n; s++) {
      if (!this.up[s] || this.comp[s] !== -1) continue;
      const stack = [s];
      this.comp[s] = comps;
      while (stack.length > 0) {
        const v = stack.pop()!;
        for (const w of channel.neighbours(names[v]!)) {
          const j = index.get(w);
          if (j === undefined || this.comp[j] !== -1) continue;
          if (!this.usable(v, j) || !this.usable(j, v)) continue;
          this.comp[j] = comps;
          stack.push(j);
        }
      }
      comps++;
    }
  }

  usable(a: number, b: number): boolean {
    return this.channel.usableIndex(this.ch[a]!, this.ch[b]!);
  }

  /** Walks every source towards `d`; with `stopAtFirst`, returns at the first unroutable pair. */
  destination(d: number, nextHop: NextHopIndex, stopAtFirst: boolean): DestinationResult {
    const n = this.names.length;
    const { up, comp, state, onPath, path } = this;
    // 0 unknown, 1 reaches d, 2 fails; `onPath` marks the current walk to spot loops.
    state.fill(0);
    state[d] = 1;
    let connected = 0;
    let unroutable = 0;
    let loops = NO_LOOPS;
    for (let s = 0; s < n; s++) {
      if (!up[s] || s === d) continue;
      path.length = 0;
      let cur = s;
      let result = 0;
      let looped = false;
      while (result === 0) {
        if (state[cur] !== 0) {
          result = state[cur]!;
          break;
        }
        if (onPath[cur] === s) {
          looped = true;
          result = 2;
          break;
        }
        onPath[cur] = s;
        path.push(cur);
        const nh = nextHop(cur, d);
        if (nh === undefined || nh < 0 || nh >= n || !this.usable(cur, nh)) {
          result = 2;
          break;
        }
        cur = nh;
      }
      for (const v of path) {
        state[v] = result;
        onPath[v] = -1;
      }
      if (looped) {
        if (loops === NO_LOOPS) loops = [];
        loops.push(`${this.names[s]}>${this.names[d]}`);
      }
      if (up[d] && comp[s] === comp[d]) {
        connected++;
        if (state[s] !== 1) {
          unroutable++;
          if (stopAtFirst) return { connected, unroutable, loops };
        }
      }
    }
    return { connected, unroutable, loops };
  }
}

/** Checks every destination now. */
export function checkRoutes(
  names: readonly string[],
  channel: SimChannel,
  nextHop: NextHopIndex,
  /** Stop at the first unroutable connected pair (a cheap "converged yet?" probe). */
  stopAtFirst = false,
): RouteCheck {
  const snap = new Snapshot(names, channel);
  let connectedPairs = 0;
  let unroutable = 0;
  const loops: string[] = [];
  for (let d = 0; d < names.length; d++) {
    const r = snap.destination(d, nextHop, stopAtFirst);
    connectedPairs += r.connected;
    unroutable += r.unroutable;
    loops.push(...r.loops);
    if (stopAtFirst && unroutable > 0) return { connectedPairs, unroutable, loops };
  }
  return { connectedPairs, unroutable, loops };
}

/** Where the walk of one connected but unroutable pair ended, and why. */
export interface UnroutablePair {
  src: string;
  dst: string;
  /**
   * `no-route`: the node `at` has no next hop towards dst; `unusable`: its next hop is not
   * reachable over a usable link; `loop`: the walk came back to `at`.
   */
  cause: 'no-route' | 'unusable' | 'loop';
  at: string;
  /** Hops walked from src before the walk ended. */
  hops: number;
}

/**
 * Every connected pair that is not routable now, with where its walk ended: what a trace of a
 * slow convergence needs to see (which node lacks which route). O(pairs x path length), for
 * diagnostics, not for the per-100-ms check.
 */
export function unroutablePairs(
  names: readonly string[],
  channel: SimChannel,
  nextHop: NextHopIndex,
): UnroutablePair[] {
  const snap = new Snapshot(names, channel);
  const n = names.length;
  const out: UnroutablePair[] = [];
  const visited = new Int32Array(n).fill(-1);
  let walk = 0;
  for (let s = 0; s < n; s++) {
    if (!snap.up[s]) continue;
    for (let d = 0; d < n; d++) {
      if (d === s || !snap.up[d] || snap.comp[s] !== snap.comp[d]) continue;
      walk++;
      let cur = s;
      let hops = 0;
      let cause: UnroutablePair['cause'] | undefined;
      while (cur !== d) {
        if (visited[cur] === walk) {
          cause = 'loop';
          break;
        }
        visited[cur] = walk;
        const nh = nextHop(cur, d);
        if (nh === undefined || nh < 0 || nh >= n) {
          cause = 'no-route';
          break;
        }
        if (!snap.usable(cur, nh)) {
          cause = 'unusable';
          break;
        }
        cur = nh;
        hops++;
      }
      if (cause) out.push({ src: names[s]!, dst: names[d]!, cause, at: names[cur]!, hops });
    }
  }
  return out;
}

/**
 * The same check, incremental: each destination's result is kept until `routeChanged` marks it
 * or `networkChanged` marks them all. Correct as long as every change of any node's next hop
 * towards a destination is reported (the engine emits a route-change event for each) and every
 * change of links, nodes or engines (faults, boots, crashes) calls `networkChanged`.
 */
export class RouteChecker {
  private snapshot: Snapshot | undefined;
  private readonly results: Array<DestinationResult | undefined>;
  private readonly dirty: Uint8Array;
  private dirtyCount: number;

  constructor(
    private readonly names: readonly string[],
    private readonly channel: SimChannel,
    private readonly nextHop: NextHopIndex,
  ) {
    this.results = new Array<DestinationResult | undefined>(names.length);
    this.dirty = new Uint8Array(names.length).fill(1);
    this.dirtyCount = names.length;
  }

  /** Some node's next hop towards destination `d` (an index) changed. */
  routeChanged(d: number): void {
    if (this.dirty[d] === 1) return;
    this.dirty[d] = 1;
    this.dirtyCount++;
  }

  /** Links, nodes or engines changed: every destination and the components are re-checked. */
  networkChanged(): void {
    this.snapshot = undefined;
    this.dirty.fill(1);
    this.dirtyCount = this.names.length;
  }

  /** Destinations waiting for a re-check (for tests and benches). */
  get pending(): number {
    return this.dirtyCount;
  }

  check(stopAtFirst = false): RouteCheck {
    const n = this.names.length;
    if (stopAtFirst) {
      // A kept result that is unroutable answers the probe without walking anything.
      for (let d = 0; d < n; d++)
        if (this.dirty[d] === 0 && this.results[d]!.unroutable > 0)
          return { connectedPairs: 0, unroutable: 1, loops: [] };
    }
    this.snapshot ??= new Snapshot(this.names, this.channel);
    for (let d = 0; d < n && this.dirtyCount > 0; d++) {
      if (this.dirty[d] === 0) continue;
      const r = this.snapshot.destination(d, this.nextHop, false);
      this.results[d] = r;
      this.dirty[d] = 0;
      this.dirtyCount--;
      if (stopAtFirst && r.unroutable > 0) return { connectedPairs: 0, unroutable: 1, loops: [] };
    }
    let connectedPairs = 0;
    let unroutable = 0;
    const loops: string[] = [];
    for (const r of this.results) {
      connectedPairs += r!.connected;
      unroutable += r!.unroutable;
      if (r!.loops.length > 0) loops.push(...r!.loops);
    }
    return { connectedPairs, unroutable, loops };
  }
}
