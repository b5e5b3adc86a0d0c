/**
 * Turns the policy core's decision into the platform's RoutingPlan: rule matches in kernel terms
 * (a zone becomes its ingress devices) and targets as WAN weights, mesh, or a last resort.
 *
 * @example
 * const plan = toRoutingPlan(config, decision.state, { zones: { lan: ['lan0'] }, meshRoute: () => null });
 */
import type { RoutingPlan, PlanRule } from '../platform/platform.ts';
import type { DesiredRouting } from './policy/multi-wan-policy.ts';
import type { PolicyConfig } from './policy/policy-config.ts';
import { IntelliMeshError } from '../core/errors.ts';

/** A rule names a zone or VLAN the agent has no devices for. */
export class UnknownZoneError extends IntelliMeshError {}

export interface PlanContext {
  /** Zone name (and `vlan<N>`) -> ingress devices. */
  zones: Readonly<Record<string, readonly string[]>>;
  /** Next hop towards a mesh gateway originator, when the mesh routes over a kernel device. */
  meshRoute: (originator: string) => { via: string; device: string } | null;
}

const dotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export function toRoutingPlan(
  config: PolicyConfig,
  state: DesiredRouting,
  ctx: PlanContext,
  usable: ReadonlyMap<string, boolean> = new Map(),
): RoutingPlan {
  const rules = state.rules.map((routing, i): PlanRule => {
    const rule = config.rules.find((r) => r.name === routing.rule)!;
    let iif: string[] | undefined;
    for (const key of [
      rule.srcZone,
      rule.srcVlan === undefined ? undefined : `vlan${rule.srcVlan}`,
    ]) {
      if (key === undefined) continue;
      const devices = ctx.zones[key];
      if (!devices)
        throw new UnknownZoneError(`rules[${i}] '${rule.name}': no devices for '${key}'`);
      iif = iif ? iif.filter((d) => devices.includes(d)) : [...devices];
    }
    const t = routing.target;
    return {
      name: rule.name,
      match: {
        iif,
        srcIp: rule.srcIp && `${dotted(rule.srcIp.network)}/${rule.srcIp.length}`,
        destIp: rule.destIp && `${dotted(rule.destIp.network)}/${rule.destIp.length}`,
        proto: rule.proto === 'all' ? undefined : rule.proto,
        destPort: rule.destPort,
      },
      stickyTimeoutMs: rule.sticky ? rule.timeoutMs : undefined,
      target:
        t.kind === 'wans'
          ? { kind: 'wans', shares: t.shares.map((s) => ({ wan: s.wan, weight: s.weight })) }
          : t.action === 'mesh'
            ? { kind: 'mesh' }
            : { kind: t.action },
    };
  });
  return {
    rules,
    meshGateway: state.meshGateway === null ? null : ctx.meshRoute(state.meshGateway),
    keepWans: [...usable].filter(([, ok]) => ok).map(([wan]) => wan),
  };
}
