/**
 * Neighbour-gateway selection, after batman-adv's B.A.T.M.A.N. IV `gw_sel_class`:
 * - `fast` (class 1): best TQ² × announced download bandwidth; stays with its choice.
 * - `stable` (class 2): best TQ; stays with its choice while it remains eligible.
 * - `fast-switch` (class 3): best TQ; switches as soon as another gateway has a better TQ.
 * - a number N > 3 (late switch, batman-adv's default is 20): switches only when another gateway's
 *   TQ is at least N points better.
 * Ours on top: a gateway that announces itself unhealthy (its WANs are down) or zero download
 * bandwidth is not eligible, so the current choice is dropped at once.
 *
 * @example
 * const sel = new GatewaySelector({ node: 'n1', selClass: 20 });
 * sel.select([{ originator: 'aa:..:01', tq: 200, bandwidthDownKbit: 10_000, bandwidthUpKbit: 2_000 }], 0);
 */
import type { MeshEvent } from '../../core/events.ts';
import { InvalidGatewayCandidateError } from './errors.ts';

export interface GatewayCandidate {
  originator: string;
  /** Transmit quality towards the gateway, 0..255. */
  tq: number;
  bandwidthDownKbit: number;
  bandwidthUpKbit: number;
  /** Announced health of the gateway's own WANs; undefined means "not announced" (eligible). */
  healthy?: boolean | undefined;
}

export type GatewaySelClass = 'fast' | 'stable' | 'fast-switch' | number;

export interface GatewaySelectorOptions {
  node: string;
  /** @default 20 */
  selClass?: GatewaySelClass;
}

export interface GatewaySelection {
  gateway: GatewayCandidate | null;
  events: MeshEvent[];
}

function validate(c: GatewayCandidate): void {
  if (!Number.isInteger(c.tq) || c.tq < 0 || c.tq > 255) {
    throw new InvalidGatewayCandidateError(c.originator, `tq ${c.tq} is outside 0..255`);
  }
  for (const [k, v] of [
    ['bandwidthDownKbit', c.bandwidthDownKbit],
    ['bandwidthUpKbit', c.bandwidthUpKbit],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      throw new InvalidGatewayCandidateError(c.originator, `${k} ${v} is not >= 0`);
  }
}

export class GatewaySelector {
  private readonly node: string;
  private readonly selClass: GatewaySelClass;
  private current: GatewayCandidate | null = null;

  constructor(options: GatewaySelectorOptions) {
    this.node = options.node;
    this.selClass = options.selClass ?? 20;
    if (
      typeof this.selClass === 'number' &&
      (!Number.isInteger(this.selClass) || this.selClass < 4 || this.selClass > 255)
    ) {
      throw new InvalidGatewayCandidateError(
        '(selector)',
        `late-switch class ${this.selClass} is outside 4..255`,
      );
    }
  }

  get selected(): GatewayCandidate | null {
    return this.current;
  }

  select(candidates: readonly GatewayCandidate[], now: number): GatewaySelection {
    candidates.forEach(validate);
    const eligible = candidates.filter(
      (c) => c.healthy !== false && c.bandwidthDownKbit > 0 && c.tq > 0,
    );
    const prev = this.current;
    const still = prev ? eligible.find((c) => c.originator === prev.originator) : undefined;
    let next: GatewayCandidate | null;
    let reason: string;
    if (!still) {
      next = this.best(eligible);
      const gone = prev
        ? candidates.find((c) => c.originator === prev.originator)
          ? 'not eligible any more'
          : 'gone'
        : '';
      reason = next
        ? `${prev ? `${prev.originator} ${gone}; ` : ''}best by ${this.label()}: ${this.explain(next)}`
        : `${prev ? `${prev.originator} ${gone}; ` : ''}no eligible gateway among ${candidates.length}`;
    } else {
      next = still;
      reason = '';
      const challenger = this.bestByTq(eligible);
      if (challenger && challenger.originator !== still.originator) {
        const gain = challenger.tq - still.tq;
        const margin =
          this.selClass === 'fast-switch'
            ? 1
            : typeof this.selClass === 'number'
              ? this.selClass
              : Infinity;
        if (gain >= margin) {
          next = challenger;
          reason = `TQ ${challenger.tq} beats ${still.originator}'s ${still.tq} by ${gain} (switch margin ${margin})`;
        }
      }
    }
    this.current = next;
    const events: MeshEvent[] = [];
    if ((prev?.originator ?? null) !== (next?.originator ?? null)) {
      events.push({
        at: now,
        node: this.node,
        kind: 'gateway-select',
        subject: 'mesh-gateway',
        from: prev?.originator ?? null,
        to: next?.originator ?? null,
        reason,
      });
    }
    return { gateway: next, events };
  }

  private best(eligible: readonly GatewayCandidate[]): GatewayCandidate | null {
    if (this.selClass !== 'fast') return this.bestByTq(eligible);
    let best: GatewayCandidate | null = null;
    let bestFactor = -1;
    for (const c of eligible) {
      const factor = c.tq * c.tq * c.bandwidthDownKbit;
      if (factor > bestFactor || (factor === bestFactor && best && c.tq > best.tq)) {
        best = c;
        bestFactor = factor;
      }
    }
    return best;
  }

  private bestByTq(eligible: readonly GatewayCandidate[]): GatewayCandidate | null {
    let best: GatewayCandidate | null = null;
    for (const c of eligible) if (!best || c.tq > best.tq) best = c;
    return best;
  }

  private label(): string {
    return this.selClass === 'fast' ? 'TQ² × bandwidth' : 'TQ';
  }

  private explain(c: GatewayCandidate): string {
    return `${c.originator} TQ ${c.tq}, ${c.bandwidthDownKbit}/${c.bandwidthUpKbit} kbit/s`;
  }
}
