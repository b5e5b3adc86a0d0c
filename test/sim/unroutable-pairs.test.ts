import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { SimChannel } from '../../src/sim/channel.ts';
import { DEFAULT_LINK } from '../../src/sim/link-params.ts';
import { checkRoutes, unroutablePairs } from '../../src/sim/route-check.ts';

// a - b - c - d in a line, and e alone (connected to nobody: never counted)
const names = ['a', 'b', 'c', 'd', 'e'];
function line(): SimChannel {
  const ch = new SimChannel(seededRandom(1));
  ch.addLink('a', 'b', DEFAULT_LINK);
  ch.addLink('b', 'c', DEFAULT_LINK);
  ch.addLink('c', 'd', DEFAULT_LINK);
  ch.intern('e');
  return ch;
}
/** Next hops given as `src>dst: via` by name. */
function table(entries: Record<string, string>): (s: number, d: number) => number | undefined {
  return (s, d) => {
    const via = entries[`${names[s]}>${names[d]}`];
    return via === undefined ? undefined : names.indexOf(via);
  };
}
/** Shortest-path next hops on the line, with `except` left out. */
function lineRoutes(except: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const pos = (n: string): number => names.indexOf(n);
  for (const s of names.slice(0, 4))
    for (const d of names.slice(0, 4)) {
      if (s === d || except.includes(`${s}>${d}`)) continue;
      out[`${s}>${d}`] = names[pos(s) + Math.sign(pos(d) - pos(s))]!;
    }
  return out;
}

describe('unroutablePairs', () => {
  it('is empty when every connected pair routes, and agrees with checkRoutes', () => {
    const ch = line();
    const routes = table(lineRoutes());
    expect(unroutablePairs(names, ch, routes)).toEqual([]);
    expect(checkRoutes(names, ch, routes).unroutable).toBe(0);
  });

  it('names the node that lacks the route, the looping node and the unusable link', () => {
    const ch = line();
    // b has no route to d; c sends a's traffic back to d (c>a via d, d>a via c: a loop)
    const entries = { ...lineRoutes(['b>d', 'c>a', 'd>a']), 'c>a': 'd', 'd>a': 'c' };
    const pairs = unroutablePairs(names, ch, table(entries));
    expect(pairs).toEqual([
      { src: 'a', dst: 'd', cause: 'no-route', at: 'b', hops: 1 },
      { src: 'b', dst: 'd', cause: 'no-route', at: 'b', hops: 0 },
      { src: 'c', dst: 'a', cause: 'loop', at: 'c', hops: 2 },
      { src: 'd', dst: 'a', cause: 'loop', at: 'd', hops: 2 },
    ]);
    expect(checkRoutes(names, ch, table(entries)).unroutable).toBe(pairs.length);
    // a route over a link that went down one way: c and d are no longer connected at all
    ch.update('c', 'd', { up: false }, true);
    expect(unroutablePairs(names, ch, table(lineRoutes()))).toEqual([]);
    // a next hop that is not a usable neighbour (b "routes" to d via d, two hops away)
    ch.update('c', 'd', { up: true }, true);
    const jump = unroutablePairs(names, ch, table({ ...lineRoutes(['b>d']), 'b>d': 'd' }));
    expect(jump).toEqual([
      { src: 'a', dst: 'd', cause: 'unusable', at: 'b', hops: 1 },
      { src: 'b', dst: 'd', cause: 'unusable', at: 'b', hops: 0 },
    ]);
  });
});
