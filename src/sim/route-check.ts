/**
 * Checks the forwarding state of the whole network at one instant: for every destination,
 * follows each node's next hops and classifies the walk. A pair counts as "connected" when
 * both nodes are up and joined by links usable in both directions (B.A.T.M.A.N. only uses
 * bidirectional links); it is "routable" when the walk reaches the destination over usable
 * links. A walk that revisits a node is a forwarding loop.
 *
 * Each destination costs O(nodes): walks stop at nodes already classified for it.
 *
 * @example
 * const r = checkRoutes(names, channel, (n) => node(n)?.nextHopName(dst));
 * r.unroutable; // 0 once converged
 */
import type { SimChannel } from './channel.ts';

export interface RouteCheck {
  connectedPairs: number;
  unroutable: number;
  /** Pairs (src, dst) whose walk loops, as `${src}>${dst}`. */
  loops: string[];
}

/** `nextHop(src, dst)` gives the name of src's next hop towards dst, or undefined. */
export function checkRoutes(
  names: readonly string[],
  channel: SimChannel,
  nextHop: (src: number, dst: number) => number | undefined,
  /** Stop at the first unroutable connected pair (a cheap "converged yet?" probe). */
  stopAtFirst = false,
): RouteCheck {
  const n = names.length;
  const up = names.map((name) => channel.isNodeUp(name));
  // The channel numbers nodes its own way: usable() by its indices avoids two Map lookups a hop.
  const ch = Int32Array.from(names, (name) => channel.intern(name));
  const usable = (a: number, b: number): boolean => channel.usableIndex(ch[a]!, ch[b]!);
  // Components over links usable both ways.
  const comp = new Int32Array(n).fill(-1);
  const index = new Map(names.map((name, i) => [name, i]));
  let comps = 0;
  for (let s = 0; s < n; s++) {
    if (!up[s] || comp[s] !== -1) continue;
    const stack = [s];
    comp[s] = comps;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of channel.neighbours(names[v]!)) {
        const j = index.get(w);
        if (j === undefined || comp[j] !== -1) continue;
        if (!usable(v, j) || !usable(j, v)) continue;
        comp[j] = comps;
        stack.push(j);
      }
    }
    comps++;
  }
  let connectedPairs = 0;
  let unroutable = 0;
  const loops: string[] = [];
  // 0 unknown, 1 reaches dst, 2 fails; `onPath` marks the current walk to spot loops.
  const state = new Uint8Array(n);
  const onPath = new Int32Array(n).fill(-1);
  const path: number[] = [];
  for (let d = 0; d < n; d++) {
    state.fill(0);
    state[d] = 1;
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
        if (nh === undefined || nh < 0 || nh >= n || !usable(cur, nh)) {
          result = 2;
          break;
        }
        cur = nh;
      }
      for (const v of path) {
        state[v] = result;
        onPath[v] = -1;
      }
      if (looped) loops.push(`${names[s]}>${names[d]}`);
      if (up[d] && comp[s] === comp[d]) {
        connectedPairs++;
        if (state[s] !== 1) {
          unroutable++;
          if (stopAtFirst) return { connectedPairs, unroutable, loops };
        }
      }
    }
  }
  return { connectedPairs, unroutable, loops };
}
