/**
 * What a radio gateway knows of the radio nodes of its network, built from what its meshlink
 * host saw (pongs, missed pings, messages, scans), with no clock or I/O of its own: every
 * method takes `now`. It says which nodes changed since the last report, so the gateway
 * republishes only those.
 *
 * Link quality is the share of recent pings a node answered, as an exponentially weighted
 * average (weight 1/4 per ping): one lost ping on a lossy radio dents it, a dead node's falls
 * toward 0 within a few rounds.
 *
 * @example
 * const t = new RadioNodeTable(100);
 * t.pong(69, 12.5, 0, 1_000);
 * t.takeChanged(); // [69]
 * t.report(69); // { address: 69, last_heard: 1000, hops: 0, rtt_ms: 12.5, link_quality: 1, ... }
 */
import type { NeighbourGraph } from '../meshlink/scan.ts';

/** Weight of the newest ping in the link quality average. */
const QUALITY_WEIGHT = 0.25;

export interface RadioNodeKnowledge {
  address: number;
  /** When this gateway last heard the node itself; null when only learned of (a scan). */
  last_heard: number | null;
  hops: number | null;
  rtt_ms: number | null;
  rtt_at: number | null;
  link_quality: number | null;
  neighbours: number[];
}

export class RadioNodeTable {
  private readonly nodes = new Map<number, RadioNodeKnowledge>();
  private readonly changed = new Set<number>();
  private lastGraph: NeighbourGraph | undefined;

  /** `self` is the gateway's own address: never a node of the table. */
  constructor(private readonly self: number) {}

  /** Addresses known, in order. */
  addresses(): number[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  report(address: number): RadioNodeKnowledge | undefined {
    const n = this.nodes.get(address);
    return n && { ...n, neighbours: [...n.neighbours] };
  }

  /** Nodes changed since the last call. */
  takeChanged(): number[] {
    const out = [...this.changed].sort((a, b) => a - b);
    this.changed.clear();
    return out;
  }

  /** Marks every node changed, to report them all again. */
  touchAll(): void {
    for (const address of this.nodes.keys()) this.changed.add(address);
  }

  /** The node answered a ping. */
  pong(address: number, rttMs: number, hops: number, now: number): void {
    const n = this.entry(address);
    if (!n) return;
    n.last_heard = now;
    n.hops = hops;
    n.rtt_ms = rttMs;
    n.rtt_at = now;
    n.link_quality = blend(n.link_quality, 1);
    this.changed.add(address);
  }

  /** A directed ping got no answer in time. */
  pingMissed(address: number): void {
    const n = this.nodes.get(address);
    if (!n) return;
    n.link_quality = blend(n.link_quality, 0);
    this.changed.add(address);
  }

  /** A message (or other traffic addressed to us) came from the node. */
  heard(address: number, hops: number, now: number): void {
    const n = this.entry(address);
    if (!n) return;
    n.last_heard = now;
    n.hops = hops;
    this.changed.add(address);
  }

  /** A scan's graph: its nodes become known, and each node's neighbours are its edges. */
  scanned(graph: NeighbourGraph): void {
    this.lastGraph = { nodes: [...graph.nodes], edges: graph.edges.map(([a, b]) => [a, b]) };
    const around = new Map<number, Set<number>>();
    for (const [a, b] of graph.edges) {
      if (!around.has(a)) around.set(a, new Set());
      if (!around.has(b)) around.set(b, new Set());
      around.get(a)!.add(b);
      around.get(b)!.add(a);
    }
    for (const address of graph.nodes) {
      const n = this.entry(address);
      if (!n) continue;
      const neighbours = [...(around.get(address) ?? [])].sort((a, b) => a - b);
      if (neighbours.join() !== n.neighbours.join()) {
        n.neighbours = neighbours;
        this.changed.add(address);
      }
    }
  }

  /**
   * The last scan's graph, plus an edge to each node whose last pong came straight from it
   * (hops 0): nodes that answer pings but not scans, like the seed's C responder, still show.
   */
  graph(): NeighbourGraph {
    const nodes = new Set<number>(this.lastGraph?.nodes ?? [this.self]);
    const edges = new Set<string>((this.lastGraph?.edges ?? []).map(([a, b]) => `${a}-${b}`));
    for (const n of this.nodes.values()) {
      nodes.add(n.address);
      if (n.hops === 0 && n.last_heard !== null) {
        const [a, b] = n.address < this.self ? [n.address, this.self] : [this.self, n.address];
        edges.add(`${a}-${b}`);
        nodes.add(this.self);
      }
    }
    return {
      nodes: [...nodes].sort((a, b) => a - b),
      edges: [...edges]
        .map((e) => e.split('-').map(Number) as [number, number])
        .sort((x, y) => x[0] - y[0] || x[1] - y[1]),
    };
  }

  private entry(address: number): RadioNodeKnowledge | undefined {
    if (address === this.self || address < 1 || address > 0xffff) return undefined;
    let n = this.nodes.get(address);
    if (!n) {
      n = {
        address,
        last_heard: null,
        hops: null,
        rtt_ms: null,
        rtt_at: null,
        link_quality: null,
        neighbours: [],
      };
      this.nodes.set(address, n);
      this.changed.add(address);
    }
    return n;
  }
}

function blend(old: number | null, sample: number): number {
  const v = old === null ? sample : old + QUALITY_WEIGHT * (sample - old);
  return Math.round(v * 1000) / 1000;
}
