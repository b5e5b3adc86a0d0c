/**
 * Neighbour-gateway selection, after batman-adv's B.A.T.M.A.N. IV `gw_sel_class`:
 * - `fast` (class 1): best TQ² × announced download bandwidth; stays with its choice.
 * - `stable` (class 2): best TQ; stays with its choice while it remains eligible.
 * - `fast-switch` (class 3): best TQ; switches as soon as another gateway has a better TQ.
 * - a number N > 3 (late switch, batman-adv's default is 20): switches only when another gateway's
 *   TQ is at least N points better.
 * Ours on top: a gateway that announces itself unhealthy (its WANs are down) or zero download
 * bandwidth is not eligible, so the current choice is dropped at once. And a switch for a better
 * TQ happens only once the challenger has stayed ahead by the margin for `switchHoldMs`: TQ
 * moves by tens of points on a lossy link from one OGM to the next, and without a hold a node
 * on the edge between two gateways flips between them with no fault anywhere.
 *
 * Every reason quotes the table it was decided on (the candidates heard, their TQ, why one is
 * not eligible), so the timeline can be checked against the state it names.
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
  /** How long a better gateway must stay ahead by the margin before we switch. @default 0 */
  switchHoldMs?: number;
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
  private readonly switchHoldMs: number;
  private current: GatewayCandidate | null = null;
  /** The gateway ahead of ours by the margin, and since when it has been at every decision. */
  private ahead: { originator: string; since: number } | undefined;

  constructor(options: GatewaySelectorOptions) {
    this.node = options.node;
    this.selClass = options.selClass ?? 20;
    this.switchHoldMs = options.switchHoldMs ?? 0;
    if (!Number.isFinite(this.switchHoldMs) || this.switchHoldMs < 0) {
      throw new InvalidGatewayCandidateError(
        '(selector)',
        `switchHoldMs ${this.switchHoldMs} is not >= 0`,
      );
    }
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

  /**
   * Decides on the gateway table `candidates`. `notNeeded` says why this node wants no mesh
   * gateway now (it serves itself through its own WAN): the current one is released with that
   * reason, whatever the table says.
   */
  select(
    candidates: readonly GatewayCandidate[],
    now: number,
    notNeeded?: string,
  ): GatewaySelection {
    candidates.forEach(validate);
    const eligible = candidates.filter((c) => ineligibility(c) === undefined);
    const prev = this.current;
    const prevEntry = prev ? candidates.find((c) => c.originator === prev.originator) : undefined;
    const still = prev ? eligible.find((c) => c.originator === prev.originator) : undefined;
    let next: GatewayCandidate | null;
    let reason: string;
    if (notNeeded !== undefined) {
      next = null;
      reason = `${prev?.originator ?? 'no gateway'} released: ${notNeeded}`;
      this.ahead = undefined;
    } else if (!still) {
      next = this.best(eligible);
      this.ahead = undefined;
      const lost = !prev
        ? ''
        : prevEntry
          ? `${prev.originator} not eligible any more (${ineligibility(prevEntry)}); `
          : `${prev.originator} gone (${heardList(candidates)}); `;
      reason = next
        ? `${lost}best of ${eligible.length} eligible by ${this.label()}: ${this.explain(next)}`
        : `${lost}no eligible gateway among ${heardWithWhy(candidates)}`;
    } else {
      next = still;
      reason = '';
      const challenger = this.bestByTq(eligible);
      const margin =
        this.selClass === 'fast-switch'
          ? 1
          : typeof this.selClass === 'number'
            ? this.selClass
            : Infinity;
      const gain =
        challenger && challenger.originator !== still.originator ? challenger.tq - still.tq : 0;
      if (challenger && gain >= margin) {
        if (this.ahead?.originator !== challenger.originator) {
          this.ahead = { originator: challenger.originator, since: now };
        }
        const aheadMs = now - this.ahead.since;
        if (aheadMs >= this.switchHoldMs) {
          next = challenger;
          this.ahead = undefined;
          reason = `TQ ${challenger.tq} beats ${still.originator}'s ${still.tq} by ${gain} (switch margin ${margin})`;
          if (this.switchHoldMs > 0)
            reason += `, ahead by the margin for ${Math.round(aheadMs / 100) / 10} s`;
        }
      } else {
        this.ahead = undefined;
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

/** Why a gateway of the table cannot be chosen, or undefined when it can. */
function ineligibility(c: GatewayCandidate): string | undefined {
  if (c.healthy === false) return 'announces its own WANs down';
  if (c.bandwidthDownKbit <= 0) return 'announces no download bandwidth';
  if (c.tq <= 0) return 'TQ 0';
  return undefined;
}

/** The table as heard: `not among the 2 heard: n0 TQ 179, n23 TQ 168`. */
function heardList(candidates: readonly GatewayCandidate[]): string {
  if (candidates.length === 0) return 'no gateway heard';
  return `not among the ${candidates.length} heard: ${candidates.map((c) => `${c.originator} TQ ${c.tq}`).join(', ')}`;
}

/** `the 2 heard: n0 (announces its own WANs down), n5 (TQ 0)`, or `0 heard`. */
function heardWithWhy(candidates: readonly GatewayCandidate[]): string {
  if (candidates.length === 0) return '0 heard';
  return `the ${candidates.length} heard: ${candidates.map((c) => `${c.originator} (${ineligibility(c) ?? 'eligible'})`).join(', ')}`;
}
