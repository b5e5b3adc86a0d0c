/**
 * Turns the policy core's decision into the platform's RoutingPlan: rule matches in kernel terms
 * (a zone becomes its ingress devices) and targets as WAN weights, mesh, or a last resort.
 *
 * @example
 * const plan = toRoutingPlan(config, decision.state, { zones: { lan: ['lan0'] }, meshRoute: () => null });
 */
import type { LocalRoute, PlanRule, RoutingPlan } from '../platform/platform.ts';
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
  const meshGateway = state.meshGateway === null ? null : ctx.meshRoute(state.meshGateway);
  return {
    rules,
    meshGateway,
    keepWans: [...usable].filter(([, ok]) => ok).map(([wan]) => wan),
    local: localRoute(rules, meshGateway !== null),
  };
}

/**
 * The node's own traffic follows the first rule that would take any connection to the internet
 * (no destination prefix but the default route, no protocol or port; the source zone is
 * ignored: the node is its own source), through its heaviest WAN, so a WAN whose upstream died
 * does not take the node's controller session with it. A rule without a usable target leaves the
 * node's traffic to the main table.
 */
function localRoute(rules: readonly PlanRule[], meshReachable: boolean): LocalRoute | null {
  const catchAll = rules.find(
    (r) =>
      (r.match.destIp === undefined || r.match.destIp === '0.0.0.0/0') &&
      r.match.proto === undefined &&
      r.match.destPort === undefined &&
      r.match.srcIp === undefined,
  );
  const t = catchAll?.target;
  if (t?.kind === 'wans') {
    const heaviest = t.shares.reduce((best, s) => (s.weight > best.weight ? s : best));
    return { kind: 'wan', wan: heaviest.wan };
  }
  if (t?.kind === 'mesh' && meshReachable) return { kind: 'mesh' };
  return null;
}
