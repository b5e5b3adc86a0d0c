/**
 * The controller's side of firmware upgrade campaigns: checks a campaign request against the
 * inventory (targets known and online; one running campaign at a time), drives one
 * UpgradeCampaignCore per campaign with the nodes' presence, versions and command results from
 * the ingest, stores every changed row and timeline event in one transaction, sends the upgrade
 * commands, arms each campaign's next deadline, and announces progress on the live feed. After a
 * restart it picks up the campaigns the store says are still under way.
 *
 * @example
 * const upgrades = new UpgradeCampaignService({ store, scheduler, newId, send, publish: (c) => live.broadcast(c) });
 * upgrades.resume();
 * ingest.on('change', (changes) => upgrades.onChanges(changes));
 * const campaign = upgrades.start({ image_url, sha256, version, canary: 1, wave_size: 5,
 *   node_timeout_s: 600, max_failures: 0 }, 'admin');
 */
import { IntelliMeshError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import type { UpgradeCommand } from '../../mqtt/messages.ts';
import type { LiveChange } from '../ingest.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import type { UpgradeCampaignSummary } from '../store/records.ts';
import {
  UpgradeCampaignCore,
  campaignOfResult,
  type CampaignOutput,
  type NodeView,
} from './upgrade-campaign.ts';

/** A campaign request the inventory refuses: each issue names its field (`nodes[2]: …`). */
export class CampaignRequestError extends IntelliMeshError {
  constructor(readonly issues: string[]) {
    super(`upgrade campaign refused: ${issues.join('; ')}`);
  }
}

/** Another campaign is running, or this one is not running any more. */
export class CampaignConflictError extends IntelliMeshError {}

/** No campaign with that id. */
export class UnknownCampaignError extends IntelliMeshError {}

export interface CampaignRequest {
  image_url: string;
  sha256: string;
  version: string;
  /** Target nodes in order, the canaries first. @default every online node, by name */
  nodes?: string[] | undefined;
  canary: number;
  wave_size: number;
  node_timeout_s: number;
  max_failures: number;
  max_bytes?: number | undefined;
}

export interface UpgradeCampaignServiceOptions {
  store: ControllerStore;
  scheduler: Scheduler;
  /** A fresh, short campaign id. */
  newId: () => string;
  send: (node: string, command: UpgradeCommand) => Promise<void>;
  /** Announces changes on the live feed. */
  publish: (changes: LiveChange[]) => void;
  logger?: Logger;
}

interface Running {
  core: UpgradeCampaignCore;
  timer: TimerHandle | undefined;
}

export class UpgradeCampaignService {
  private readonly running = new Map<string, Running>();
  private readonly log: Logger;
  /** Settles when the work queued so far is done: campaigns change one step at a time. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: UpgradeCampaignServiceOptions) {
    this.log = o.logger ?? silentLogger;
  }

  /**
   * Runs `work` after everything queued before it: a decision is taken on the store as the
   * previous one left it, so two requests cannot both see "no campaign running".
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => {});
    return run;
  }

  /** Settles once every change queued so far is stored and announced (for tests and close). */
  idle(): Promise<void> {
    return this.serial(async () => {});
  }

  /** Takes up the campaigns still under way in the store (after a restart). */
  resume(): Promise<void> {
    return this.serial(() => this.resumeNow());
  }

  private async resumeNow(): Promise<void> {
    const { store, scheduler } = this.o;
    const views = await this.views();
    for (const c of await store.upgrades.active()) {
      const core = UpgradeCampaignCore.restore(c, await store.upgrades.nodes(c.id), views);
      const r: Running = { core, timer: undefined };
      this.running.set(c.id, r);
      // Anything that changed while the controller was away counts now.
      const now = scheduler.now();
      const out: CampaignOutput[] = [];
      for (const n of core.nodes) {
        const v = views.get(n.node);
        if (v) out.push(...core.observe(n.node, v, now));
      }
      out.push(...core.tick(now));
      await this.apply(r, out);
    }
  }

  start(request: CampaignRequest, by: string): Promise<UpgradeCampaignSummary> {
    return this.serial(() => this.startNow(request, by));
  }

  private async startNow(request: CampaignRequest, by: string): Promise<UpgradeCampaignSummary> {
    const { store, scheduler } = this.o;
    const busy = [...this.running.values()].find((r) => r.core.campaign.status === 'running');
    if (busy)
      throw new CampaignConflictError(
        `campaign ${busy.core.campaign.id} is still running; cancel it or wait for it to end`,
      );
    const views = await this.views();
    const nodes = this.targets(request.nodes, views);
    const { core, outputs } = UpgradeCampaignCore.start(
      {
        id: this.o.newId(),
        image_url: request.image_url,
        sha256: request.sha256,
        version: request.version,
        max_bytes: request.max_bytes ?? null,
        nodes,
        canary: request.canary,
        wave_size: request.wave_size,
        node_timeout_s: request.node_timeout_s,
        max_failures: request.max_failures,
        requested_by: by,
      },
      views,
      scheduler.now(),
    );
    const r: Running = { core, timer: undefined };
    this.running.set(core.campaign.id, r);
    await this.apply(r, outputs);
    return store.upgrades.summary(core.campaign);
  }

  cancel(id: string, by: string): Promise<UpgradeCampaignSummary> {
    return this.serial(() => this.cancelNow(id, by));
  }

  private async cancelNow(id: string, by: string): Promise<UpgradeCampaignSummary> {
    const stored = await this.o.store.upgrades.get(id);
    if (!stored) throw new UnknownCampaignError(`no upgrade campaign '${id}'`);
    const r = this.running.get(id);
    if (!r || r.core.campaign.status !== 'running')
      throw new CampaignConflictError(`campaign ${id} is ${stored.status}, not running`);
    await this.apply(r, r.core.cancel(by, this.o.scheduler.now()));
    return this.o.store.upgrades.summary(r.core.campaign);
  }

  /** Node presence and versions, and upgrade command results, from the ingest. */
  onChanges(changes: readonly LiveChange[]): void {
    if (this.running.size === 0) return;
    const now = this.o.scheduler.now();
    this.serial(async () => {
      for (const c of changes) {
        if (c.type === 'node') {
          const view = await this.view(c.node);
          if (!view) continue;
          for (const r of [...this.running.values()])
            await this.apply(r, r.core.observe(c.node, view, now));
        } else if (c.type === 'upgrade-result') {
          const id = campaignOfResult(c.result.id);
          const r = id === undefined ? undefined : this.running.get(id);
          if (r) await this.apply(r, r.core.result(c.result, now));
        }
      }
    }).catch((err: Error) => this.log.error({ err: err.message }, 'upgrade campaign step failed'));
  }

  close(): void {
    for (const r of this.running.values()) r.timer?.cancel();
    this.running.clear();
  }

  /** Stores the rows and events in one transaction, then announces them and sends commands. */
  private async apply(r: Running, outputs: CampaignOutput[]): Promise<void> {
    const { store, scheduler } = this.o;
    const id = r.core.campaign.id;
    if (outputs.length > 0) {
      const changes: LiveChange[] = await store.transaction(async (tx) => {
        const events: LiveChange[] = [];
        for (const o of outputs) {
          if (o.type === 'campaign') await tx.upgrades.saveCampaign(o.campaign);
          else if (o.type === 'node') await tx.upgrades.saveNode(o.node);
          else if (o.type === 'event')
            events.push({
              type: 'event',
              event: {
                ...o.event,
                id: await tx.events.add(o.event, 'controller'),
                source: 'controller',
              },
            });
        }
        return events;
      });
      const status = r.core.campaign.status;
      this.o.publish([...changes, { type: 'upgrade', id, status }]);
      for (const o of outputs) {
        if (o.type !== 'send') continue;
        this.o
          .send(o.node, o.command)
          .catch((err: Error) =>
            this.log.warn(
              { err: err.message, node: o.node, campaign: id },
              'upgrade command not sent; the node will time out',
            ),
          );
      }
    }
    r.timer?.cancel();
    r.timer = undefined;
    if (!r.core.active) {
      this.running.delete(id);
      return;
    }
    const deadline = r.core.nextDeadline();
    if (deadline !== undefined)
      r.timer = scheduler.after(deadline - scheduler.now(), () => {
        this.serial(() => this.apply(r, r.core.tick(scheduler.now()))).catch((err: Error) =>
          this.log.error({ err: err.message, campaign: id }, 'upgrade campaign step failed'),
        );
      });
  }

  private async view(node: string): Promise<NodeView | undefined> {
    const n = await this.o.store.nodes.get(node);
    return n ? { online: n.online, firmwareVersion: n.state?.firmware_version ?? null } : undefined;
  }

  private async views(): Promise<Map<string, NodeView>> {
    return new Map(
      (await this.o.store.nodes.list()).map((n) => [
        n.node,
        { online: n.online, firmwareVersion: n.state?.firmware_version ?? null },
      ]),
    );
  }

  /** The requested nodes, each known, online and named once; by default every online node. */
  private targets(requested: string[] | undefined, views: Map<string, NodeView>): string[] {
    if (requested === undefined) {
      const online = [...views].filter(([, v]) => v.online).map(([n]) => n);
      if (online.length === 0) throw new CampaignRequestError(['nodes: no node is online']);
      return online.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    }
    const issues: string[] = [];
    const seen = new Set<string>();
    requested.forEach((node, i) => {
      const v = views.get(node);
      if (seen.has(node)) issues.push(`nodes[${i}]: '${node}' is listed twice`);
      else if (!v) issues.push(`nodes[${i}]: no node '${node}' has reported to this controller`);
      else if (!v.online) issues.push(`nodes[${i}]: '${node}' is offline`);
      seen.add(node);
    });
    if (requested.length === 0) issues.push('nodes: name at least one node, or leave it out');
    if (issues.length > 0) throw new CampaignRequestError(issues);
    return requested;
  }
}
