/**
 * A scan: which nodes hear which, level by level to a chosen depth, as a neighbour graph.
 *
 * Level 1 is a local probe: a SCAN to the broadcast address 0 (never relayed) that every node in
 * reach answers with an RSCAN listing the neighbours it has heard. Each further level sends a
 * directed SCAN to the nodes found on the level before; such a node runs its own local probe
 * and answers with everything it hears. RSCAN payloads are lists of u16 addresses; a long list
 * spans several RSCAN fragments, each usable on its own.
 *
 * @example
 * const s = new ScanSession(1, 10, 2);
 * s.reply(11, [10, 12]); // 11 hears 10 and 12
 * s.graph(); // { nodes: [10, 11, 12], edges: [[10, 11], [11, 12]] }
 */
export interface NeighbourGraph {
  nodes: number[];
  /** Undirected "hears" edges, each as [lower, higher] address, sorted. */
  edges: [number, number][];
}

export class ScanSession {
  readonly id: number;
  readonly origin: number;
  readonly depth: number;
  level = 1;
  deadline = 0;
  private readonly nodes = new Set<number>();
  private readonly edges = new Set<number>();
  private readonly queried = new Set<number>();

  constructor(id: number, origin: number, depth: number) {
    this.id = id;
    this.origin = origin;
    this.depth = depth;
    this.nodes.add(origin);
    this.queried.add(origin);
  }

  /** `from` answered a probe: it hears `heard` (and whoever probed it). */
  reply(from: number, heard: Iterable<number>, prober?: number): void {
    this.nodes.add(from);
    if (prober !== undefined) this.edge(prober, from);
    for (const n of heard) {
      if (n === 0 || n === from) continue;
      this.nodes.add(n);
      this.edge(from, n);
    }
  }

  /** Nodes found but not yet asked for their own neighbours; marks them asked. */
  takeFrontier(): number[] {
    const out: number[] = [];
    for (const n of this.nodes) {
      if (!this.queried.has(n)) {
        this.queried.add(n);
        out.push(n);
      }
    }
    return out.sort((a, b) => a - b);
  }

  graph(): NeighbourGraph {
    const edges: [number, number][] = [];
    for (const e of this.edges) edges.push([Math.floor(e / 65536), e % 65536]);
    edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    return { nodes: [...this.nodes].sort((a, b) => a - b), edges };
  }

  private edge(a: number, b: number): void {
    if (a === b) return;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    this.edges.add(lo * 65536 + hi);
  }
}

/** Encodes addresses as u16 little-endian. */
export function encodeAddressList(addresses: readonly number[]): Uint8Array {
  const out = new Uint8Array(addresses.length * 2);
  addresses.forEach((a, i) => {
    out[2 * i] = a & 0xff;
    out[2 * i + 1] = a >>> 8;
  });
  return out;
}

/** Decodes u16 little-endian addresses; an odd trailing byte is ignored. */
export function decodeAddressList(data: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) out.push(data[i]! | (data[i + 1]! << 8));
  return out;
}
