/**
 * The sans-IO multi-WAN decision core: from which WANs are usable (health trackers) and whether a
 * neighbouring gateway is available, it decides what every rule's traffic should use, which
 * WANs' connections must be flushed, and explains each change with an event.
 *
 * Fail-back hold-down: while some rule runs on the mesh last resort, a WAN that comes back is
 * only used again once it has stayed usable for `holdDownMs`, so a WAN that recovers and dies
 * again does not bounce clients between the mesh and the local uplink.
 *
 * @example
 * const policy = new MultiWanPolicy({ node: 'n1', config: cfg, holdDownMs: 30_000 });
 * const d = policy.decide({ now: 0, usable: new Map([['wan', true], ['lte', true]]), meshGateway: null });
 * d.state.rules[0]!.target; // { kind: 'wans', metric: 1, shares: [{ wan: 'wan', share: 1, ... }] }
 */
import type { MeshEvent } from '../../core/events.ts';
import { flowHash, matchRule, type Flow } from './flow.ts';
import type { LastResort, PolicyConfig } from './policy-config.ts';
import { describeTarget, resolvePolicy, type PolicyTarget } from './resolve-policy.ts';
import { StickyFlows } from './sticky-flows.ts';

export interface PolicyInput {
  now: number;
  /** Usability of every WAN the config names; a WAN missing here counts as unusable. */
  usable: ReadonlyMap<string, boolean>;
  /** The selected neighbouring gateway (originator), or null when none is eligible. */
  meshGateway: string | null;
}

export interface RuleRouting {
  rule: string;
  policy: string;
  target: PolicyTarget;
}

export interface DesiredRouting {
  rules: RuleRouting[];
  /** The gateway `mesh` last-resort traffic goes to; null when no rule needs it or none exists. */
  meshGateway: string | null;
}

export interface PolicyDecision {
  state: DesiredRouting;
  /** WANs that carried traffic and no longer do: their connections are to be flushed. */
  flushWans: string[];
  events: MeshEvent[];
}

export type FlowRoute =
  | { kind: 'wan'; wan: string; rule: string }
  | { kind: 'mesh'; gateway: string; rule: string }
  | { kind: 'drop' | 'main-table'; rule: string | null; reason: string };

export interface MultiWanPolicyOptions {
  node: string;
  config: PolicyConfig;
  /** @default 30_000 */
  holdDownMs?: number;
}

export class MultiWanPolicy {
  private readonly node: string;
  private readonly config: PolicyConfig;
  private readonly holdDownMs: number;
  private readonly since = new Map<string, { usable: boolean; at: number }>();
  private current: DesiredRouting | undefined;
  private readonly sticky = new StickyFlows();

  constructor(options: MultiWanPolicyOptions) {
    this.node = options.node;
    this.config = options.config;
    this.holdDownMs = options.holdDownMs ?? 30_000;
  }

  get state(): DesiredRouting | undefined {
    return this.current;
  }

  /** When a held-down WAN becomes eligible, so the host calls `decide` again; else undefined. */
  nextWakeAt(): number | undefined {
    if (!this.onMesh()) return undefined;
    let next: number | undefined;
    for (const s of this.since.values()) {
      if (!s.usable) continue;
      const at = s.at + this.holdDownMs;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  decide(input: PolicyInput): PolicyDecision {
    const { now } = input;
    const events: MeshEvent[] = [];
    const changed: string[] = [];
    for (const wan of this.wans()) {
      const usable = input.usable.get(wan) ?? false;
      const prev = this.since.get(wan);
      if (!prev || prev.usable !== usable) {
        // A WAN seen for the first time counts as settled, so start-up is not held down.
        this.since.set(wan, { usable, at: prev ? now : now - this.holdDownMs });
        if (prev) changed.push(`${wan} ${usable ? 'usable' : 'not usable'}`);
      }
    }
    const onMesh = this.onMesh();
    const held: string[] = [];
    const eligible = (wan: string): boolean => {
      const s = this.since.get(wan);
      if (!s?.usable) return false;
      if (onMesh && now - s.at < this.holdDownMs) {
        held.push(wan);
        return false;
      }
      return true;
    };
    const rules: RuleRouting[] = this.config.rules.map((r) => ({
      rule: r.name,
      policy: r.policy,
      target: resolvePolicy(this.config.policies.get(r.policy)!, this.config.members, eligible),
    }));
    const needsMesh = rules.some(
      (r) => r.target.kind === 'last-resort' && r.target.action === 'mesh',
    );
    const next: DesiredRouting = { rules, meshGateway: needsMesh ? input.meshGateway : null };

    const why = [
      ...changed,
      ...[...new Set(held)].map(
        (w) => `${w} held down until ${this.since.get(w)!.at + this.holdDownMs}`,
      ),
    ];
    const reasonBase = why.length > 0 ? why.join('; ') : 'initial decision';
    rules.forEach((r, i) => {
      const before = describeTarget(this.current?.rules[i]?.target);
      const after = describeTarget(r.target);
      if (before !== after)
        events.push(this.event(now, 'policy-route', r.rule, before, after, reasonBase));
    });
    const gwBefore = this.current?.meshGateway ?? null;
    if (gwBefore !== next.meshGateway) {
      const reason = next.meshGateway
        ? `no local WAN usable for ${rules
            .filter((r) => r.target.kind === 'last-resort')
            .map((r) => r.rule)
            .join(', ')}`
        : needsMesh
          ? 'no neighbouring gateway available'
          : 'local WAN usable again';
      events.push(this.event(now, 'mesh-default', 'internet', gwBefore, next.meshGateway, reason));
    }

    const carried = (s: DesiredRouting | undefined) =>
      new Set(
        s?.rules.flatMap((r) =>
          r.target.kind === 'wans' ? r.target.shares.map((x) => x.wan) : [],
        ) ?? [],
      );
    const before = carried(this.current);
    const after = carried(next);
    const flushWans = [...before].filter(
      (w) => !after.has(w) && !(this.since.get(w)?.usable ?? false),
    );
    for (const wan of flushWans) {
      const moved = this.sticky.dropWan(wan);
      events.push(
        this.event(
          now,
          'conntrack-flush',
          wan,
          null,
          null,
          `${wan} not usable: flushing its connections${moved > 0 ? ` and ${moved} sticky source(s)` : ''}`,
        ),
      );
    }
    this.current = next;
    return { state: next, flushWans, events };
  }

  /** Where a new connection goes under the current decision (the simulator's data path). */
  route(flow: Flow, now: number): FlowRoute {
    const rule = matchRule(this.config.rules, flow);
    if (!rule) return { kind: 'main-table', rule: null, reason: 'no rule matches' };
    const routing = this.current?.rules.find((r) => r.rule === rule.name);
    if (!routing) return { kind: 'drop', rule: rule.name, reason: 'no decision yet' };
    const t = routing.target;
    if (t.kind === 'last-resort') return this.lastResort(t.action, rule.name);
    const wans = t.shares.map((s) => s.wan);
    if (rule.sticky) {
      const pinned = this.sticky.lookup(rule.name, flow.srcIp, wans, now);
      if (pinned) return { kind: 'wan', wan: pinned, rule: rule.name };
    }
    const key = `${flow.srcIp}>${flow.destIp}/${flow.proto}/${flow.destPort ?? 0}`;
    const total = t.shares.reduce((sum, s) => sum + s.weight, 0);
    let pick = flowHash(key) % total;
    let wan = t.shares[t.shares.length - 1]!.wan;
    for (const s of t.shares) {
      if (pick < s.weight) {
        wan = s.wan;
        break;
      }
      pick -= s.weight;
    }
    if (rule.sticky) this.sticky.remember(rule.name, flow.srcIp, wan, now, rule.timeoutMs);
    return { kind: 'wan', wan, rule: rule.name };
  }

  private lastResort(action: LastResort, rule: string): FlowRoute {
    if (action === 'mesh') {
      const gw = this.current?.meshGateway;
      return gw
        ? { kind: 'mesh', gateway: gw, rule }
        : { kind: 'drop', rule, reason: 'no WAN and no mesh gateway' };
    }
    if (action === 'default') return { kind: 'main-table', rule, reason: 'last resort: default' };
    return { kind: 'drop', rule, reason: `last resort: ${action}` };
  }

  private onMesh(): boolean {
    return (this.current?.meshGateway ?? null) !== null;
  }

  private wans(): string[] {
    return [...new Set([...this.config.members.values()].map((m) => m.wan))];
  }

  private event(
    at: number,
    kind: string,
    subject: string,
    from: string | null,
    to: string | null,
    reason: string,
  ): MeshEvent {
    return { at, node: this.node, kind, subject, from, to, reason };
  }
}
