/**
 * What one policy does right now, given which WANs are usable: mwan3's rule that only the
 * members with the lowest metric among the usable ones carry traffic, shared by weight; with no
 * usable member, the policy's last resort.
 *
 * @example
 * resolvePolicy(cfg.policies.get('balanced')!, cfg.members, (wan) => wan !== 'wan1');
 * // { kind: 'wans', metric: 1, shares: [{ wan: 'wan2', member: 'wan2_m1_w2', weight: 2, share: 1 }] }
 */
import type { LastResort, Member, Policy } from './policy-config.ts';

export interface WanShare {
  wan: string;
  member: string;
  weight: number;
  /** Fraction of new flows in (0, 1]; the shares of one target sum to 1. */
  share: number;
}

export type PolicyTarget =
  | { kind: 'wans'; metric: number; shares: WanShare[] }
  | { kind: 'last-resort'; action: LastResort };

export function resolvePolicy(
  policy: Policy,
  members: ReadonlyMap<string, Member>,
  usable: (wan: string) => boolean,
): PolicyTarget {
  const live = policy.members.map((m) => members.get(m)!).filter((m) => usable(m.wan));
  if (live.length === 0) return { kind: 'last-resort', action: policy.lastResort };
  const metric = Math.min(...live.map((m) => m.metric));
  // A WAN listed twice at the best metric counts once, with its largest weight.
  const byWan = new Map<string, Member>();
  for (const m of live) {
    if (m.metric !== metric) continue;
    const seen = byWan.get(m.wan);
    if (!seen || m.weight > seen.weight) byWan.set(m.wan, m);
  }
  const best = [...byWan.values()];
  const total = best.reduce((sum, m) => sum + m.weight, 0);
  return {
    kind: 'wans',
    metric,
    shares: best.map((m) => ({
      wan: m.wan,
      member: m.name,
      weight: m.weight,
      share: m.weight / total,
    })),
  };
}

/** A short human form for events: "wan1 67% + wan2 33% (metric 1)" or "last resort: mesh". */
export function describeTarget(t: PolicyTarget | undefined): string | null {
  if (!t) return null;
  if (t.kind === 'last-resort') return `last resort: ${t.action}`;
  return `${t.shares.map((s) => `${s.wan} ${Math.round(s.share * 100)}%`).join(' + ')} (metric ${t.metric})`;
}
