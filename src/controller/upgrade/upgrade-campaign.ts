/**
 * A fleet firmware upgrade in waves, so a bad image costs one node, not the fleet: the canaries
 * (wave 0) are upgraded first and must come back online reporting the new version before wave 1
 * starts, then wave after wave. A node is done when it is online with `firmware_version` equal to
 * the campaign's version (or answers `done`); it fails when it answers `failed`/`rejected`, when
 * it does not come back within the per-node timeout, or when it is offline as its wave starts.
 * A failing canary, or more failures than `max_failures`, stops the campaign: the nodes not yet
 * started are left untouched (`skipped`), nodes already upgrading are still followed to their
 * end. The operator can cancel a running campaign the same way.
 *
 * Sans-IO: node views (online, version), command results, ticks and the cancel come in with
 * `now`; commands to send, changed rows and timeline events come out. The controller's
 * UpgradeCampaignService stores the rows and sends the commands.
 *
 * @example
 * const { core, outputs } = UpgradeCampaignCore.start(plan, views, now);
 * // outputs: campaign row, node rows, { type: 'send', node: 'n0', command: { kind: 'upgrade', … } }, events
 * core.result({ id: core.commandId, node: 'n0', status: 'rebooting', … }, now + 9_000);
 * core.observe('n0', { online: true, firmwareVersion: plan.version }, now + 60_000); // wave 1 starts
 */
import type { MeshEvent } from '../../core/events.ts';
import type { CommandResult, UpgradeCommand } from '../../mqtt/messages.ts';
import type {
  UpgradeCampaign,
  UpgradeCampaignNode,
  UpgradeNodeState,
  UpgradeStep,
} from '../store/records.ts';

/** What the controller knows of a node right now. */
export interface NodeView {
  online: boolean;
  firmwareVersion: string | null;
}

export interface CampaignPlan {
  id: string;
  image_url: string;
  sha256: string;
  version: string;
  max_bytes: number | null;
  /** Target nodes in order: the first `canary` are the canaries. */
  nodes: readonly string[];
  canary: number;
  wave_size: number;
  node_timeout_s: number;
  max_failures: number;
  requested_by: string;
}

export type CampaignOutput =
  | { type: 'send'; node: string; command: UpgradeCommand }
  | { type: 'campaign'; campaign: UpgradeCampaign }
  | { type: 'node'; node: UpgradeCampaignNode }
  | { type: 'event'; event: MeshEvent };

/** The `node` of timeline events about a whole campaign. */
export const CONTROLLER_EVENT_NODE = 'controller';
const KIND = 'upgrade-campaign';

/** The command id a campaign's upgrade commands carry (the same for each of its nodes). */
export function upgradeCommandId(campaignId: string): string {
  return `upgrade:${campaignId}`;
}

/** The campaign a command result belongs to, if it answers an upgrade command. */
export function campaignOfResult(resultId: string): string | undefined {
  return resultId.startsWith('upgrade:') ? resultId.slice('upgrade:'.length) : undefined;
}

const STEPS: ReadonlySet<string> = new Set<UpgradeStep>([
  'accepted',
  'downloading',
  'verified',
  'installing',
  'rebooting',
]);

export class UpgradeCampaignCore {
  private readonly views = new Map<string, NodeView>();
  private readonly byNode: Map<string, UpgradeCampaignNode>;

  private constructor(
    private c: UpgradeCampaign,
    nodes: UpgradeCampaignNode[],
  ) {
    this.byNode = new Map(nodes.map((n) => [n.node, n]));
  }

  /** Plans the waves and starts the canaries. */
  static start(
    plan: CampaignPlan,
    views: ReadonlyMap<string, NodeView>,
    now: number,
  ): { core: UpgradeCampaignCore; outputs: CampaignOutput[] } {
    const canary = Math.min(plan.canary, plan.nodes.length);
    const waveOf = (i: number) => (i < canary ? 0 : 1 + Math.floor((i - canary) / plan.wave_size));
    const nodes = plan.nodes.map((node, position): UpgradeCampaignNode => ({
      campaign_id: plan.id,
      node,
      wave: waveOf(position),
      position,
      state: 'pending',
      step: null,
      reason: 'waiting for its wave',
      code: null,
      from_version: null,
      version: null,
      started_at: null,
      deadline: null,
      updated_at: now,
    }));
    const campaign: UpgradeCampaign = {
      id: plan.id,
      image_url: plan.image_url,
      sha256: plan.sha256,
      version: plan.version,
      max_bytes: plan.max_bytes,
      canary,
      wave_size: plan.wave_size,
      node_timeout_s: plan.node_timeout_s,
      max_failures: plan.max_failures,
      status: 'running',
      reason: 'upgrading the canaries',
      wave: 0,
      waves: nodes.length === 0 ? 0 : waveOf(nodes.length - 1) + 1,
      requested_by: plan.requested_by,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    const core = new UpgradeCampaignCore(campaign, nodes);
    for (const [n, v] of views) core.views.set(n, v);
    const waves = campaign.waves;
    const outputs: CampaignOutput[] = [
      { type: 'campaign', campaign: { ...campaign } },
      ...nodes.map((n) => ({ type: 'node' as const, node: { ...n } })),
      core.event(
        now,
        CONTROLLER_EVENT_NODE,
        null,
        plan.version,
        `started by ${plan.requested_by}: ${nodes.length} node(s) in ${waves} wave(s) (canary ${canary}, waves of ${plan.wave_size}), ${plan.node_timeout_s} s per node, ${plan.max_failures} failure(s) tolerated`,
      ),
    ];
    return { core, outputs: [...outputs, ...core.startWave(0, now), ...core.advance(now)] };
  }

  /** A campaign read back from the store (after a controller restart). */
  static restore(
    campaign: UpgradeCampaign,
    nodes: UpgradeCampaignNode[],
    views: ReadonlyMap<string, NodeView>,
  ): UpgradeCampaignCore {
    const core = new UpgradeCampaignCore(
      { ...campaign },
      nodes.map((n) => ({ ...n })),
    );
    for (const [n, v] of views) core.views.set(n, v);
    return core;
  }

  get campaign(): UpgradeCampaign {
    return { ...this.c };
  }

  get nodes(): UpgradeCampaignNode[] {
    return [...this.byNode.values()].map((n) => ({ ...n }));
  }

  get commandId(): string {
    return upgradeCommandId(this.c.id);
  }

  /** Running, or still following nodes that were upgrading when it stopped. */
  get active(): boolean {
    return this.c.status === 'running' || this.upgrading().length > 0;
  }

  nextDeadline(): number | undefined {
    const deadlines = this.upgrading()
      .map((n) => n.deadline)
      .filter((d): d is number => d !== null);
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  /** A node's presence or version changed. */
  observe(node: string, view: NodeView, now: number): CampaignOutput[] {
    this.views.set(node, view);
    const n = this.byNode.get(node);
    if (!n || n.state !== 'upgrading' || !view.online || view.firmwareVersion !== this.c.version)
      return [];
    return [
      ...this.finishNode(n, 'done', now, `back online running ${view.firmwareVersion}`, null),
      ...this.advance(now),
    ];
  }

  /** A node answered the campaign's upgrade command. */
  result(r: CommandResult, now: number): CampaignOutput[] {
    if (r.id !== this.commandId) return [];
    const n = this.byNode.get(r.node);
    if (!n || n.state !== 'upgrading') return [];
    if (STEPS.has(r.status)) {
      n.step = r.status as UpgradeStep;
      n.reason = r.reason;
      n.updated_at = now;
      return [{ type: 'node', node: { ...n } }];
    }
    if (r.status === 'done')
      return [...this.finishNode(n, 'done', now, r.reason, null), ...this.advance(now)];
    if (r.status === 'failed' || r.status === 'rejected')
      return [
        ...this.finishNode(n, 'failed', now, r.reason, r.code ?? r.status),
        ...this.advance(now),
      ];
    return [];
  }

  /** Fails the nodes whose time ran out. */
  tick(now: number): CampaignOutput[] {
    const out: CampaignOutput[] = [];
    for (const n of this.upgrading()) {
      if (n.deadline === null || now < n.deadline) continue;
      const why = `did not come back running ${this.c.version} within ${this.c.node_timeout_s} s (last step: ${n.step ?? 'none'})`;
      out.push(...this.finishNode(n, 'failed', now, why, 'timeout'));
    }
    return out.length === 0 ? [] : [...out, ...this.advance(now)];
  }

  /** The operator stops a running campaign; nodes not yet started are left untouched. */
  cancel(by: string, now: number): CampaignOutput[] {
    if (this.c.status !== 'running') return [];
    return this.end('cancelled', `cancelled by ${by}`, now);
  }

  private upgrading(): UpgradeCampaignNode[] {
    return [...this.byNode.values()].filter((n) => n.state === 'upgrading');
  }

  private wave(w: number): UpgradeCampaignNode[] {
    return [...this.byNode.values()].filter((n) => n.wave === w);
  }

  private startWave(w: number, now: number): CampaignOutput[] {
    const nodes = this.wave(w);
    const out: CampaignOutput[] = [];
    this.c.wave = w;
    this.c.reason =
      w === 0 ? 'upgrading the canaries' : `upgrading wave ${w} of ${this.c.waves - 1}`;
    this.c.updated_at = now;
    out.push({ type: 'campaign', campaign: { ...this.c } });
    if (w > 0)
      out.push(
        this.event(
          now,
          CONTROLLER_EVENT_NODE,
          null,
          this.c.version,
          `wave ${w} of ${this.c.waves - 1} starts: ${nodes.map((n) => n.node).join(', ')}`,
        ),
      );
    const reachable: UpgradeCampaignNode[] = [];
    for (const n of nodes) {
      const view = this.views.get(n.node);
      n.from_version = view?.firmwareVersion ?? null;
      if (view?.online && view.firmwareVersion === this.c.version)
        out.push(...this.finishNode(n, 'done', now, `already running ${this.c.version}`, null));
      else if (!view?.online)
        out.push(...this.finishNode(n, 'failed', now, 'offline when its wave started', 'offline'));
      else reachable.push(n);
    }
    // A node found offline may already be one failure too many: then nothing more is sent.
    if (this.stopReason()) return out;
    for (const n of reachable) {
      n.state = 'upgrading';
      n.step = 'sent';
      n.reason = 'upgrade command sent';
      n.started_at = now;
      n.deadline = now + this.c.node_timeout_s * 1000;
      n.updated_at = now;
      out.push({ type: 'node', node: { ...n } });
      out.push({
        type: 'send',
        node: n.node,
        command: {
          id: this.commandId,
          kind: 'upgrade',
          image_url: this.c.image_url,
          sha256: this.c.sha256,
          version: this.c.version,
          ...(this.c.max_bytes !== null ? { max_bytes: this.c.max_bytes } : {}),
        },
      });
    }
    return out;
  }

  /** Why the campaign must stop now: a failed canary, or more failures than tolerated. */
  private stopReason(): string | undefined {
    const failed = [...this.byNode.values()].filter((n) => n.state === 'failed');
    const canary = failed.find((n) => n.wave === 0);
    if (canary) return `canary ${canary.node} failed: ${canary.reason}`;
    if (failed.length <= this.c.max_failures) return undefined;
    const last = failed[failed.length - 1]!;
    return `${last.node} failed: ${last.reason} (${failed.length} failure(s), ${this.c.max_failures} tolerated)`;
  }

  /** Stops on too many failures, starts the next wave once this one is over, or finishes. */
  private advance(now: number): CampaignOutput[] {
    const out: CampaignOutput[] = [];
    while (this.c.status === 'running') {
      const stop = this.stopReason();
      if (stop) {
        out.push(...this.end('stopped', stop, now));
        break;
      }
      const current = this.wave(this.c.wave);
      if (current.some((n) => n.state === 'upgrading' || n.state === 'pending')) break;
      if (this.c.wave + 1 >= this.c.waves) {
        const count = (state: UpgradeNodeState) =>
          [...this.byNode.values()].filter((n) => n.state === state).length;
        const done = count('done');
        const failures = count('failed') > 0 ? `; ${count('failed')} failed` : '';
        out.push(
          ...this.end(
            'done',
            `${done} of ${this.byNode.size} node(s) run ${this.c.version}${failures}`,
            now,
          ),
        );
        break;
      }
      out.push(...this.startWave(this.c.wave + 1, now));
    }
    return out;
  }

  private end(status: 'done' | 'stopped' | 'cancelled', reason: string, now: number) {
    const out: CampaignOutput[] = [];
    const left = [...this.byNode.values()].filter((n) => n.state === 'pending');
    for (const n of left) {
      n.state = 'skipped';
      n.reason = `campaign ${status}; not started`;
      n.updated_at = now;
      out.push({ type: 'node', node: { ...n } });
    }
    const untouched = left.length > 0 ? `; ${left.length} node(s) left untouched` : '';
    this.c.status = status;
    this.c.reason = `${reason}${untouched}`;
    this.c.updated_at = now;
    this.c.finished_at = now;
    out.push({ type: 'campaign', campaign: { ...this.c } });
    out.push(
      this.event(now, CONTROLLER_EVENT_NODE, null, this.c.version, `${status}: ${this.c.reason}`),
    );
    return out;
  }

  private finishNode(
    n: UpgradeCampaignNode,
    state: Extract<UpgradeNodeState, 'done' | 'failed'>,
    now: number,
    reason: string,
    code: string | null,
  ): CampaignOutput[] {
    n.state = state;
    n.reason = reason;
    n.code = code;
    n.deadline = null;
    n.updated_at = now;
    if (state === 'done') n.version = this.c.version;
    const to = state === 'done' ? this.c.version : n.from_version;
    return [
      { type: 'node', node: { ...n } },
      this.event(now, n.node, n.from_version, to, `${state}: ${reason}`),
    ];
  }

  private event(
    at: number,
    node: string,
    from: string | null,
    to: string | null,
    reason: string,
  ): CampaignOutput {
    return {
      type: 'event',
      event: { at, node, kind: KIND, subject: this.c.id, from, to, reason: reason.slice(0, 1024) },
    };
  }
}
