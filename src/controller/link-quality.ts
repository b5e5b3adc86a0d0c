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
  const known = new Set(views.map((v) => v.node));
  // Keyed "from\0to": what `to` measured for frames from `from`.
  const seen = new Map<string, { tq: number; loss: number | null }>();
  for (const v of views) {
    for (const nb of v.neighbours) {
      if (known.has(nb.node))
        seen.set(`${nb.node}\u0000${v.node}`, { tq: nb.tq, loss: nb.loss ?? null });
    }
  }
  const links: LinkQuality[] = [];
  const done = new Set<string>();
  for (const key of seen.keys()) {
    const [a, b] = key.split('\u0000') as [string, string];
    const [source, target] = a < b ? [a, b] : [b, a];
    const pair = `${source}\u0000${target}`;
    if (done.has(pair)) continue;
    done.add(pair);
    const st = seen.get(`${source}\u0000${target}`);
    const ts = seen.get(`${target}\u0000${source}`);
    const tqs = [st?.tq, ts?.tq].filter((x): x is number => x !== undefined);
    const losses = [st?.loss, ts?.loss].filter((x): x is number => x != null);
    links.push({
      source,
      target,
      tq_source_target: st?.tq ?? null,
      tq_target_source: ts?.tq ?? null,
      tq: Math.min(...tqs),
      loss_source_target: st?.loss ?? null,
      loss_target_source: ts?.loss ?? null,
      loss: losses.length > 0 ? Math.max(...losses) : null,
    });
  }
  links.sort((x, y) => (x.source + x.target).localeCompare(y.source + y.target));
  return links;
}
