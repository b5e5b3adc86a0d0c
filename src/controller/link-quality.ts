/**
 * A mesh link's health from both of its ends: each node reports, per neighbour, the TQ and the
 * recent loss it measures for frames *from* that neighbour, so a link has one figure per
 * direction. The worse direction rules: a link that works one way only does not work.
 *
 * @example
 * const links = linkQualities([
 *   { node: 'a', neighbours: [{ node: 'b', tq: 181, loss: 0.1 }] },
 *   { node: 'b', neighbours: [{ node: 'a', tq: 202 }] },
 * ]);
 * links[0]; // { source: 'a', target: 'b', tq_source_target: 202, tq_target_source: 181, tq: 181, loss: 0.1, ... }
 */

/** What one node reports about the neighbours it hears. */
export interface NeighbourView {
  node: string;
  neighbours: readonly { node: string; tq: number; loss?: number | undefined }[];
}

export interface LinkQuality {
  /** The lower of the two names, so a link has one spelling. */
  source: string;
  target: string;
  /** TQ `target` measures for frames from `source`; null when `target` does not report it. */
  tq_source_target: number | null;
  tq_target_source: number | null;
  /** The worse direction's TQ. */
  tq: number;
  loss_source_target: number | null;
  loss_target_source: number | null;
  /** The worse direction's recent loss, 0..1; null when neither end measures it. */
  loss: number | null;
}

/** Links between the given nodes (neighbours outside the list are left out), sorted by name. */
export function linkQualities(views: readonly NeighbourView[]): LinkQuality[] {
  const links: LinkQuality[] = [];
  eachLinkQuality(views, (link) => links.push({ ...link }));
  return links;
}

/**
 * The links of `linkQualities`, in its order, each handed to `visit` in one object that is
 * reused: a caller that keeps a link copies what it needs. So the topology builds its own link
 * objects without an intermediate one per link.
 *
 * At 10,000 nodes this is most of the topology's cost, so it allocates little: names are
 * numbered once, a direction is keyed by its number pair (not by a string joined from two names),
 * and what each direction measured is kept in typed arrays until the links are built. Names are
 * assumed free of U+0000 (MQTT topics cannot carry it).
 */
export function eachLinkQuality(
  views: readonly NeighbourView[],
  visit: (link: Readonly<LinkQuality>) => void,
): void {
  const ids = new Map<string, number>();
  const names: string[] = [];
  let reports = 0;
  for (const v of views) {
    reports += v.neighbours.length;
    if (!ids.has(v.node)) {
      ids.set(v.node, names.length);
      names.push(v.node);
    }
  }
  // Direction d: what node to[d] measured for frames from node from[d]. A direction reported
  // twice keeps its first place (its order among equal sort keys) and its last figures.
  const directions = new DirectionTable(reports);
  const { from, to } = directions;
  const tq = new Float64Array(reports);
  const loss = new Float64Array(reports);
  const hasLoss = new Uint8Array(reports);
  for (const v of views) {
    const t = ids.get(v.node)!;
    for (const nb of v.neighbours) {
      const f = ids.get(nb.node);
      if (f === undefined) continue;
      const d = directions.add(f, t);
      tq[d] = nb.tq;
      hasLoss[d] = nb.loss == null ? 0 : 1;
      loss[d] = nb.loss ?? 0;
    }
  }
  // A link per pair, drawn at its first direction: st is source -> target, ts the way back
  // (-1 when not heard), source the lower name.
  const st: number[] = [];
  const ts: number[] = [];
  const keys: string[] = [];
  for (let d = 0; d < directions.size; d++) {
    const back = directions.find(to[d]!, from[d]!);
    if (back !== -1 && back < d) continue;
    const forward = names[from[d]!]! < names[to[d]!]!;
    const s = forward ? d : back;
    const b = forward ? back : d;
    st.push(s);
    ts.push(b);
    keys.push(forward ? names[from[d]!]! + names[to[d]!]! : names[to[d]!]! + names[from[d]!]!);
  }
  const link: LinkQuality = {
    source: '',
    target: '',
    tq_source_target: null,
    tq_target_source: null,
    tq: 0,
    loss_source_target: null,
    loss_target_source: null,
    loss: null,
  };
  for (const i of sortedByKey(keys)) {
    const s = st[i]!;
    const b = ts[i]!;
    const d = s === -1 ? b : s;
    link.source = names[s === -1 ? to[d]! : from[d]!]!;
    link.target = names[s === -1 ? from[d]! : to[d]!]!;
    link.tq_source_target = s === -1 ? null : tq[s]!;
    link.tq_target_source = b === -1 ? null : tq[b]!;
    link.tq = worse(link.tq_source_target, link.tq_target_source, Math.min)!;
    link.loss_source_target = s !== -1 && hasLoss[s] === 1 ? loss[s]! : null;
    link.loss_target_source = b !== -1 && hasLoss[b] === 1 ? loss[b]! : null;
    link.loss = worse(link.loss_source_target, link.loss_target_source, Math.max);
    visit(link);
  }
}

/** The worse of the figures there are (one direction may be missing). */
function worse(
  x: number | null,
  y: number | null,
  pick: (x: number, y: number) => number,
): number | null {
  if (x === null) return y;
  if (y === null) return x;
  return pick(x, y);
}

/**
 * Positions in the order `localeCompare` sorts the keys (the default locale's collation), ties
 * in the order given, as a stable sort gives them.
 *
 * The collation costs more per comparison than code-unit order, and for plain names (`n12`) the
 * two agree. So the keys are sorted by code unit first, and that order is kept if the collation
 * confirms it with one comparison per neighbouring pair: each pair in order, and a pair it holds
 * equal made of equal strings (which a stable sort leaves in the order given, like the collation
 * sort would). Otherwise they are sorted by the collation.
 */
function sortedByKey(keys: readonly string[]): number[] {
  // One link needs no collator (the link-degraded rule asks about one pair at a time).
  if (keys.length < 2) return keys.map((_, i) => i);
  const collator = new Intl.Collator();
  const byCodeUnit = keys
    .map((_, i) => i)
    .sort((i, j) => (keys[i]! < keys[j]! ? -1 : keys[i]! > keys[j]! ? 1 : 0));
  if (collatedInOrder(keys, byCodeUnit, collator)) return byCodeUnit;
  return keys.map((_, i) => i).sort((i, j) => collator.compare(keys[i]!, keys[j]!));
}

function collatedInOrder(
  keys: readonly string[],
  order: readonly number[],
  collator: Intl.Collator,
): boolean {
  for (let k = 1; k < order.length; k++) {
    const a = keys[order[k - 1]!]!;
    const b = keys[order[k]!]!;
    const c = collator.compare(a, b);
    if (c > 0 || (c === 0 && a !== b)) return false;
  }
  return true;
}

/**
 * The directions heard, numbered in the order first heard, found by their (from, to) pair in an
 * open-addressing hash table of typed arrays: a Map grown to 40,000 entries per rebuild cost
 * more than everything else here, and left the collector as much again.
 */
class DirectionTable {
  readonly from: Int32Array;
  readonly to: Int32Array;
  size = 0;
  /** Direction + 1 per slot, 0 for an empty slot; at most half full. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    let slots = 8;
    while (slots < 2 * capacity) slots *= 2;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** The direction's number, a new one if it was not heard yet. */
  add(from: number, to: number): number {
    let i = this.slotOf(from, to);
    for (;;) {
      const d = this.slots[i]! - 1;
      if (d === -1) break;
      if (this.from[d] === from && this.to[d] === to) return d;
      i = (i + 1) & this.mask;
    }
    const d = this.size++;
    this.from[d] = from;
    this.to[d] = to;
    this.slots[i] = d + 1;
    return d;
  }

  /** The direction's number, or -1 if it was not heard. */
  find(from: number, to: number): number {
    for (let i = this.slotOf(from, to); ; i = (i + 1) & this.mask) {
      const d = this.slots[i]! - 1;
      if (d === -1 || (this.from[d] === from && this.to[d] === to)) return d;
    }
  }

  private slotOf(from: number, to: number): number {
    const h = Math.imul(from, 0x9e3779b1) ^ Math.imul(to + 0x632be5ab, 0x85ebca6b);
    return (h ^ (h >>> 15)) & this.mask;
  }
}
