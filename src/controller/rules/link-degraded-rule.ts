/**
 * The degraded-link alert: a mesh link whose worse direction loses too many OGMs or whose TQ is
 * too low, for long enough, opens `link-degraded:<a>|<b>`; it closes once the link has been good
 * for long enough. Two thresholds and two hold times (hysteresis) keep a link hovering near one
 * threshold from opening and closing the alert on every report. Links to an offline node are not
 * judged: that node's own offline alert says what happened. Pure: reports and times in, alert
 * operations out.
 *
 * @example
 * const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
 * rule.onState(stateOfN3, 10_000); // []
 * rule.onState(stateOfN3, 12_000); // [{ op: 'open', alert: { key: 'link-degraded:n3|n4', ... } }]
 */
import type { NodeState } from '../../mqtt/messages.ts';
import { linkQualities, type LinkQuality, type NeighbourView } from '../link-quality.ts';
import type { LinkRuleOptions } from './alert-rule-options.ts';
import type { RuleOp } from './rule-op.ts';

export const LINK_DEGRADED = 'link-degraded';

interface LinkTrack {
  open: boolean;
  /** Since when the link has been bad (closed alert) or good (open alert), without a break. */
  since: number | undefined;
}

export class LinkDegradedRule {
  /** The latest neighbour view of each online node. */
  private readonly views = new Map<string, NeighbourView>();
  /** When each node booted (controller clock), from its reported uptime. */
  private readonly bootedAt = new Map<string, number>();
  private readonly tracks = new Map<string, LinkTrack>();

  /** `openKeys`: alerts of this rule still open in the store (a restarted controller). */
  constructor(
    private readonly o: LinkRuleOptions,
    openKeys: Iterable<string> = [],
  ) {
    for (const key of openKeys) {
      if (key.startsWith(`${LINK_DEGRADED}:`))
        this.tracks.set(key, { open: true, since: undefined });
    }
  }

  /** A node's state: judges every link it reports, with the other end's latest view. */
  onState(state: NodeState, at: number): RuleOp[] {
    this.views.set(state.node, { node: state.node, neighbours: state.neighbours });
    this.bootedAt.set(state.node, at - state.uptime_s * 1000);
    const ops: RuleOp[] = [];
    const judged = new Set<string>();
    for (const nb of state.neighbours) {
      const other = this.views.get(nb.node);
      if (!other) continue; // offline or never heard: not judged
      // A link of a node that just booted is still being measured: its TQ climbs from nothing.
      if (this.young(state.node, at) || this.young(nb.node, at)) {
        judged.add(
          keyOf({
            source: state.node < nb.node ? state.node : nb.node,
            target: state.node < nb.node ? nb.node : state.node,
          }),
        );
        continue;
      }
      for (const link of linkQualities([this.views.get(state.node)!, other])) {
        const key = keyOf(link);
        judged.add(key);
        const op = this.judge(key, link, at);
        if (op) ops.push(op);
      }
    }
    // A link this node no longer reports at all is gone, not degraded: close its alert.
    for (const [key, track] of this.tracks) {
      if (judged.has(key) || !endsOf(key).includes(state.node)) continue;
      const [a, b] = endsOf(key);
      const peer = a === state.node ? b : a;
      if (state.neighbours.some((n) => n.node === peer)) continue; // kept, just not judged now
      if (this.views.get(peer)?.neighbours.some((n) => n.node === state.node)) continue;
      this.tracks.delete(key);
      if (track.open) ops.push({ op: 'close', key });
    }
    return ops;
  }

  /** A node went offline (or came back): its links are not judged while it is away. */
  onStatus(node: string, online: boolean): RuleOp[] {
    if (online) return [];
    this.views.delete(node);
    const ops: RuleOp[] = [];
    for (const [key, track] of this.tracks) {
      if (!endsOf(key).includes(node)) continue;
      this.tracks.delete(key);
      if (track.open) ops.push({ op: 'close', key });
    }
    return ops;
  }

  private young(node: string, at: number): boolean {
    return at - (this.bootedAt.get(node) ?? Number.NEGATIVE_INFINITY) < this.o.bootGraceMs;
  }

  private judge(key: string, link: LinkQuality, at: number): RuleOp | undefined {
    const o = this.o;
    const m = measure(link);
    const track = this.tracks.get(key) ?? { open: false, since: undefined };
    this.tracks.set(key, track);
    if (!track.open) {
      const bad =
        (m.meanLoss !== null && m.meanLoss >= o.lossOpen) ||
        (m.worstLoss !== null && m.worstLoss >= o.lossOneWayOpen) ||
        (m.tq !== null && m.tq < o.tqOpen);
      if (!bad) {
        this.tracks.delete(key);
        return undefined;
      }
      track.since ??= at;
      if (at - track.since < o.openAfterMs) return undefined;
      track.open = true;
      track.since = undefined;
      return { op: 'open', alert: alertOf(key, link), related: [link.source, link.target] };
    }
    const good =
      (m.meanLoss === null || m.meanLoss <= o.lossClose) &&
      (m.worstLoss === null || m.worstLoss <= o.lossOneWayClose) &&
      (m.tq === null || m.tq >= o.tqClose);
    if (!good) {
      track.since = undefined;
      return undefined;
    }
    track.since ??= at;
    if (at - track.since < o.closeAfterMs) return undefined;
    this.tracks.delete(key);
    return { op: 'close', key };
  }
}

/**
 * The figures the rule judges. Loss: the mean of the two directions weighs 16 OGMs instead of 8,
 * which is what tells a degraded link from a few unlucky losses within seconds (see
 * alert-rule-options.ts); a link bad one way only is caught by the worse direction's loss. TQ: the
 * worse direction's, leaving out a 0, which a node reports while it has no direct-link figure
 * (just booted, or the neighbour's OGMs came another way first).
 */
function measure(l: LinkQuality): {
  meanLoss: number | null;
  worstLoss: number | null;
  tq: number | null;
} {
  const losses = [l.loss_source_target, l.loss_target_source].filter(
    (x): x is number => x !== null,
  );
  const tqs = [l.tq_source_target, l.tq_target_source].filter(
    (x): x is number => x !== null && x > 0,
  );
  return {
    meanLoss: losses.length === 0 ? null : losses.reduce((a, b) => a + b, 0) / losses.length,
    worstLoss: losses.length === 0 ? null : Math.max(...losses),
    tq: tqs.length === 0 ? null : Math.min(...tqs),
  };
}

function keyOf(l: { source: string; target: string }): string {
  return `${LINK_DEGRADED}:${l.source}|${l.target}`;
}

function endsOf(key: string): [string, string] {
  return key.slice(LINK_DEGRADED.length + 1).split('|') as [string, string];
}

function alertOf(key: string, l: LinkQuality) {
  // Name the direction that is worse, as the operator will want to know which radio to look at.
  const lossSt = l.loss_source_target ?? -1;
  const lossTs = l.loss_target_source ?? -1;
  const tqSt = l.tq_source_target ?? 256;
  const tqTs = l.tq_target_source ?? 256;
  const forward = lossSt !== lossTs ? lossSt > lossTs : tqSt <= tqTs;
  const [from, to] = forward ? [l.source, l.target] : [l.target, l.source];
  const loss = l.loss !== null ? `${Math.round(l.loss * 100)}% loss, ` : '';
  return {
    key,
    node: l.source,
    kind: LINK_DEGRADED,
    subject: `${l.source}|${l.target}`,
    severity: 'warning' as const,
    message: `Link ${l.source}–${l.target} is degraded (${loss}TQ ${l.tq}; worse from ${from} to ${to})`,
  };
}
