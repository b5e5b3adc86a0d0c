/**
 * Turns MQTT messages from the nodes into rows: validates each payload against its channel's
 * schema and against the topic it came on (a node cannot report as another) and commits it
 * before its acknowledgement is released, so a crash loses nothing the broker thinks was
 * delivered. A batch (every message the MQTT session read in one turn) is one transaction:
 * the commit, not the rows, is what costs, so grouping is what makes ingest fast. What changed
 * is announced in batches, at most every `flushMs`.
 *
 * @example
 * const ingest = new Ingest({ store, scheduler });
 * await ingest.acceptBatch(messages); // committed once it resolves: acknowledge them now
 * ingest.on('change', (changes) => broadcast(changes));
 */
import { EventEmitter } from 'node:events';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import {
  decodeMessage,
  type CommandResult,
  type NodeConfigReport,
  type NodeEventMessage,
  type NodeMetrics,
} from '../mqtt/messages.ts';
import { parseNodeTopic } from '../mqtt/topics.ts';
import { alertOps, type AlertOp, type IngestedMessage } from './alert-rules.ts';
import { resolveAlertRuleOptions, type AlertRuleOptions } from './rules/alert-rule-options.ts';
import type { RuleOp } from './rules/rule-op.ts';
import { TimeAlertRules } from './rules/time-alert-rules.ts';
import { pushUpdateOf } from './config-push-service.ts';
import { TrafficRates, type CurrentTraffic } from './traffic-rates.ts';
import { futureTimestampError } from './timestamp-skew.ts';
import type { Alert } from './store/alert-repo.ts';
import type { RadioMessageView, RadioNodeView } from './radio/radio-records.ts';
import type { ControllerStore } from './store/controller-store.ts';
import type { StoreScope } from './store/store-scope.ts';
import type { StoredEvent } from './store/event-repo.ts';
import type { ConfigPush } from './store/push-repo.ts';
import type { CampaignStatus } from './store/records.ts';
import { NodeTimeline } from './timeline/node-timeline.ts';
import type { ClientRecord } from './clients/client-records.ts';
import { ClientTracker } from './clients/client-tracker.ts';
import { campaignOfResult } from './upgrade/upgrade-campaign.ts';
import { messageId } from './cluster/message-id.ts';
import type { SyncSql } from './store/sql-session.ts';
import { BatchedBoots } from './store/batched-boots.ts';
import type { MetricSampleAt } from './store/metric-repo.ts';
import {
  eventWritableNow,
  stateWritableNow,
  writeEventNow,
  writeSamplesNow,
  writeStateNow,
  type MetricSample,
} from './ingest-sync-rows.ts';

export type LiveChange =
  | { type: 'node'; node: string }
  | { type: 'event'; event: StoredEvent }
  | { type: 'alert'; alert: Alert }
  | { type: 'push'; push: ConfigPush }
  /** An upgrade campaign or one of its nodes changed. */
  | { type: 'upgrade'; id: string; status: CampaignStatus }
  /** A Wi-Fi client associated, roamed, left, or its signal moved (see GET /api/clients). */
  | { type: 'client'; client: ClientRecord }
  /** A node answered an upgrade command (for the campaign service; not sent to dashboards). */
  | { type: 'upgrade-result'; result: CommandResult }
  /** A radio node's merged view changed (radio/radio-service.ts). */
  | { type: 'radio-node'; node: RadioNodeView }
  /** A radio message from or to a radio node was stored. */
  | { type: 'radio-message'; message: RadioMessageView };

type Queued =
  | (IngestedMessage & { site: string; receivedAt: number })
  | { channel: 'metrics'; message: NodeMetrics; site: string; receivedAt: number }
  | { channel: 'config'; message: NodeConfigReport; site: string; receivedAt: number }
  | {
      channel: 'command/result';
      message: CommandResult;
      site: string;
      receivedAt: number;
    };

/** What one transaction's messages are written with. */
interface WriteScope {
  tx: StoreScope;
  timeline: NodeTimeline;
  clients: ClientTracker;
  /** SQLite: the transaction's synchronous statements, for the rows that take the fast path. */
  sync: SyncSql | undefined;
  /** PostgreSQL: the batch's metric samples, written together before the commit. */
  samples: MetricSampleAt[] | undefined;
  /**
   * PostgreSQL: the keys of the open alerts, read once per batch and kept up to date by the
   * batch's opens and closes, so a close with nothing to close (most of them: a healthy state
   * closes every rule's alert) costs no round trip.
   */
  openAlerts: Set<string> | undefined;
  /**
   * PostgreSQL: the boot rows of the batch's nodes, read in one query and written in one before
   * the commit, so the timeline's reboot check and uptime cost no round trip per state.
   */
  boots: BatchedBoots | undefined;
}

interface Refusal {
  refused: true;
  topic: string;
  error: string;
}

export interface IngestOptions {
  store: ControllerStore;
  scheduler: Scheduler;
  /** Longest a change waits before it is announced. @default 20 */
  flushMs?: number;
  /** Thresholds of the degraded-link and gateway-flapping rules. @default resolveAlertRuleOptions() */
  alertRules?: AlertRuleOptions;
  /**
   * Several controllers on one database (cluster/): records the messages' ids in the batch's
   * transaction and answers which are new; the others (redeliveries) are skipped, never doubled.
   */
  dedupe?: (tx: StoreScope, ids: readonly Buffer[], now: number) => Promise<boolean[]>;
  /**
   * PostgreSQL: fewer round trips per batch. A batch's metric samples (nothing later in the
   * batch reads them) are written in a few multi-row statements just before the commit instead
   * of one each, the open alerts' keys are read once per batch so that closes that would
   * change nothing are not sent, and the boot rows of the batch's nodes are read in one query
   * and written in one before the commit (the reboot check and uptime of each state). False
   * sends every statement as it comes, to compare the two. @default true
   */
  pgBatch?: boolean;
}

/**
 * An alert that opened or closed, announced once committed (event `alert`, synchronously after
 * the batch's commit, before the batched `change`): for notifications and the timeline.
 */
export interface AlertTransition {
  op: 'opened' | 'closed';
  alert: Alert;
  /** Nodes whose own failure would explain the alert (empty when the alert names its cause). */
  related: readonly string[];
}

export interface IngestStats {
  accepted: number;
  rejected: number;
  batches: number;
}

export class Ingest extends EventEmitter<{
  change: [LiveChange[]];
  alert: [AlertTransition];
}> {
  readonly stats: IngestStats = { accepted: 0, rejected: 0, batches: 0 };
  private pending: LiveChange[] = [];
  private timer: TimerHandle | undefined;
  private readonly flushMs: number;
  // Derived from consecutive reports; a batch rolled back and retried one by one loses at most
  // one rate point per WAN (the raw counters are never stored, so nothing else depends on it).
  private readonly traffic = new TrafficRates();
  /** Built from the open alerts on the first batch (reading them is asynchronous). */
  private timeRules: TimeAlertRules | undefined;
  /** Alert transitions of the transaction under way; announced only once it commits. */
  private transitions: AlertTransition[] = [];
  private readonly noteTransition = (t: AlertTransition): void => {
    this.transitions.push(t);
  };
  /** Settles when the batches accepted so far are stored: batches are stored one at a time. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: IngestOptions) {
    super();
    this.flushMs = options.flushMs ?? 20;
  }

  /**
   * Validates and stores one message. `ack` runs once it is committed (or refused: a refused
   * message must not be redelivered forever).
   */
  async accept(topic: string, payload: Uint8Array, ack: () => void = () => {}): Promise<void> {
    await this.acceptBatch([{ topic, payload }]);
    ack();
  }

  /**
   * Validates every message and stores the good ones and the refusals in one transaction: once
   * this resolves, all of them are committed and may be acknowledged. Rejects only when the
   * store itself fails (nothing of the batch is then committed). Batches are stored in the order
   * they are given, one after another: the alert rules and rates follow the messages' order.
   */
  acceptBatch(batch: readonly { topic: string; payload: Uint8Array }[]): Promise<void> {
    const now = this.options.scheduler.now();
    const decoded = new Array<Queued | Refusal | undefined>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      decoded[i] = this.decode(batch[i]!.topic, batch[i]!.payload, now);
    }
    const ids = this.options.dedupe && batch.map((m) => messageId(m.topic, m.payload));
    const run = this.tail.then(() => this.store(decoded, now, ids));
    this.tail = run.catch(() => {});
    return run;
  }

  private async store(
    decoded: readonly (Queued | Refusal | undefined)[],
    now: number,
    ids: readonly Buffer[] | undefined,
  ): Promise<void> {
    this.timeRules ??= new TimeAlertRules(
      this.options.alertRules ?? resolveAlertRuleOptions(),
      (await this.options.store.alerts.listOpen()).map((a) => a.key),
    );
    let changes: LiveChange[];
    const committed: AlertTransition[] = [];
    try {
      changes = await this.options.store.transaction((tx) => this.writeAll(tx, decoded, now, ids));
      committed.push(...this.transitions);
    } catch (err) {
      this.transitions = [];
      // One message the store cannot take must not hold the others back: isolate it.
      if (decoded.length === 1) throw err;
      changes = [];
      for (let i = 0; i < decoded.length; i++) {
        changes.push(...(await this.writeIsolated(decoded[i], now, ids && [ids[i]!])));
        committed.push(...this.transitions);
        this.transitions = [];
      }
    }
    this.transitions = [];
    for (const t of committed) this.emit('alert', t);
    if (changes.length === 0) return;
    for (const c of changes) this.pending.push(c);
    this.timer ??= this.options.scheduler.after(this.flushMs, () => this.flush());
  }

  /** Settles once every batch accepted so far is stored (or failed). */
  async idle(): Promise<void> {
    await this.tail;
  }

  /** The latest traffic rate of each WAN of `node`, from its byte counters. */
  trafficNow(node: string): Record<string, CurrentTraffic> {
    return this.traffic.current(node);
  }

  /** Announces what changed since the last announcement. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const changes = dedupe(this.pending);
    this.pending = [];
    this.stats.batches++;
    this.emit('change', changes);
  }

  /** The message to store, a refusal to record, or nothing (a topic the controller ignores). */
  private decode(topic: string, payload: Uint8Array, now: number): Queued | Refusal | undefined {
    const where = parseNodeTopic(topic);
    if (!where) return { refused: true, topic, error: 'not an intelli-mesh node topic' };
    if (where.channel === 'command') return undefined;
    const decoded = decodeMessage(where.channel, payload);
    if (!decoded.ok) return { refused: true, topic, error: decoded.error };
    const claimed = (decoded.value as { node: string }).node;
    if (claimed !== where.node) {
      return {
        refused: true,
        topic,
        error: `payload names node '${claimed}' on the topic of '${where.node}'`,
      };
    }
    const ahead = futureTimestampError((decoded.value as { at?: number }).at, now);
    if (ahead) return { refused: true, topic, error: ahead };
    return {
      channel: where.channel,
      message: decoded.value,
      site: where.site,
      receivedAt: now,
    } as Queued;
  }

  private async writeAll(
    tx: StoreScope,
    decoded: readonly (Queued | Refusal | undefined)[],
    now: number,
    ids?: readonly Buffer[],
  ): Promise<LiveChange[]> {
    const changes: LiveChange[] = [];
    let accepted = 0;
    let rejected = 0;
    const pgBatch = tx.sql.dialect === 'postgres' && this.options.pgBatch !== false;
    const boots = pgBatch ? new BatchedBoots(tx.boots, timelineNodes(decoded)) : undefined;
    const scope: WriteScope = {
      tx,
      timeline: new NodeTimeline(tx, boots),
      clients: new ClientTracker(tx),
      sync: tx.sql.sync,
      samples: pgBatch ? [] : undefined,
      openAlerts: pgBatch ? new Set(await tx.alerts.openKeys()) : undefined,
      boots,
    };
    const fresh = ids && this.options.dedupe ? await this.options.dedupe(tx, ids, now) : undefined;
    for (let i = 0; i < decoded.length; i++) {
      const q = decoded[i];
      if (q === undefined || (fresh && !fresh[i])) continue;
      if ('refused' in q) {
        await tx.recordRejected(now, q.topic, q.error);
        rejected++;
        continue;
      }
      const out = this.write(scope, q);
      for (const c of Array.isArray(out) ? out : await out) changes.push(c);
      accepted++;
    }
    if (scope.boots) await scope.boots.flush();
    if (scope.samples) await tx.metrics.recordAll(scope.samples);
    // Counted only once committed: a rolled-back batch is retried message by message.
    this.stats.accepted += accepted;
    this.stats.rejected += rejected;
    return changes;
  }

  /** One message in its own transaction; one the store refuses is recorded as refused. */
  private async writeIsolated(
    q: Queued | Refusal | undefined,
    now: number,
    ids: readonly Buffer[] | undefined,
  ): Promise<LiveChange[]> {
    if (q === undefined) return [];
    const { store } = this.options;
    try {
      return await store.transaction((tx) => this.writeAll(tx, [q], now, ids));
    } catch (err) {
      this.transitions = [];
      if ('refused' in q) throw err;
      const topic = `intelli-mesh/${q.site}/node/${q.message.node}/${q.channel}`;
      // If even the refusal cannot be written the store is unusable: let it throw.
      await store.transaction((tx) =>
        this.writeAll(
          tx,
          [{ refused: true, topic, error: `store refused it: ${(err as Error).message}` }],
          now,
        ),
      );
      return [];
    }
  }

  /**
   * Writes one message's rows: at once, with no promise, where the fast path takes it (SQLite,
   * ingest-sync-rows.ts), awaited otherwise.
   */
  private write(scope: WriteScope, q: Queued): LiveChange[] | Promise<LiveChange[]> {
    const { tx, sync } = scope;
    if (q.channel === 'metrics') {
      const m = q.message;
      const samples = this.metricSamples(m);
      if (sync) return writeSamplesNow(sync, tx, m.node, m.at, samples);
      if (scope.samples) {
        for (const s of samples)
          scope.samples.push({ node: m.node, series: s.series, at: m.at, value: s.value });
        return [];
      }
      return this.recordSamples(tx, m.node, m.at, samples);
    }
    const at = q.receivedAt;
    if (q.channel === 'events') {
      const ops = this.alertOps(q, at);
      if (sync && eventWritableNow(q.message))
        return writeEventNow(sync, tx, q.message, ops, at, this.noteTransition);
      return this.writeEvent(scope, q.message, ops, at);
    }
    if (q.channel === 'state' && sync && stateWritableNow(q.message)) {
      const ops = this.alertOps(q, at);
      return writeStateNow(sync, scope, q.site, q.message, at, ops, this.noteTransition);
    }
    return this.writeAwaited(scope, q);
  }

  /** The values of a metrics message, traffic rates derived from its byte counters included. */
  private metricSamples(m: NodeMetrics): MetricSample[] {
    const samples: MetricSample[] = [];
    for (const [wan, v] of Object.entries(m.wans)) {
      if (v.latency_ms != null)
        samples.push({ series: `wan.${wan}.latency_ms`, value: v.latency_ms });
      if (v.loss != null) samples.push({ series: `wan.${wan}.loss`, value: v.loss });
      for (const r of this.traffic.update(m.node, wan, m.at, v.rx_bytes, v.tx_bytes))
        samples.push({ series: `wan.${wan}.${r.direction}_bps`, value: r.bps });
    }
    if (m.cpu_percent !== undefined) samples.push({ series: 'cpu_percent', value: m.cpu_percent });
    if (m.rss_bytes !== undefined) samples.push({ series: 'rss_bytes', value: m.rss_bytes });
    return samples;
  }

  private async recordSamples(
    tx: StoreScope,
    node: string,
    at: number,
    samples: readonly MetricSample[],
  ): Promise<LiveChange[]> {
    for (const s of samples) await tx.metrics.record(node, s.series, at, s.value);
    return [];
  }

  private async writeEvent(
    scope: WriteScope,
    e: NodeEventMessage,
    ops: readonly (AlertOp | RuleOp)[],
    at: number,
  ): Promise<LiveChange[]> {
    const id = await scope.tx.events.add(e);
    const client = await scope.clients.onEvent(e);
    return [
      { type: 'event', event: { ...e, id, source: 'node' } },
      ...(client ? [{ type: 'client' as const, client }] : []),
      ...(await this.applyAlerts(scope, ops, at)),
    ];
  }

  private async writeAwaited(
    scope: WriteScope,
    q: Exclude<Queued, { channel: 'metrics' | 'events' }>,
  ): Promise<LiveChange[]> {
    const { tx: store, timeline, clients } = scope;
    const at = q.receivedAt;
    switch (q.channel) {
      case 'status':
        await timeline.onStatus(q.message, at);
        await store.nodes.recordStatus(q.site, q.message, at);
        return [
          { type: 'node', node: q.message.node },
          ...(q.message.online ? [] : await clients.onNodeOffline(q.message.node)).map(
            (client) => ({ type: 'client' as const, client }),
          ),
          ...(await this.applyAlerts(scope, this.alertOps(q, at), at)),
        ];
      case 'state':
        await timeline.onState(q.message, at);
        await store.nodes.recordState(q.site, q.message, at);
        return [
          { type: 'node', node: q.message.node },
          ...(await clients.onState(q.message)).map((client) => ({
            type: 'client' as const,
            client,
          })),
          ...(await this.applyAlerts(scope, this.alertOps(q, at), at)),
        ];
      case 'config':
        await store.nodes.recordConfig(q.site, q.message, at);
        return [{ type: 'node', node: q.message.node }];
      case 'command/result': {
        const r = q.message;
        if (campaignOfResult(r.id) !== undefined) return [{ type: 'upgrade-result', result: r }];
        const pushId = pushUpdateOf(r.id, r.status);
        if (
          pushId === undefined ||
          !(await store.pushes.update(pushId, r.status, r.reason, at, r.errors))
        )
          return [];
        const push = await store.pushes.get(pushId);
        return push ? [{ type: 'push', push }] : [];
      }
    }
  }

  /** What the message does to alerts: its own rules', then the time rules' (which keep state). */
  private alertOps(q: IngestedMessage, at: number): (AlertOp | RuleOp)[] {
    return [...alertOps(q), ...this.timeRules!.ops(q, at)];
  }

  private async applyAlerts(
    scope: WriteScope,
    ops: readonly (AlertOp | RuleOp)[],
    at: number,
  ): Promise<LiveChange[]> {
    const { alerts } = scope.tx;
    const open = scope.openAlerts;
    const changes: LiveChange[] = [];
    for (const op of ops) {
      if (op.op === 'open') {
        // Sent even when already open: on PostgreSQL the INSERT takes a sequence number even
        // when it does nothing, so skipping it would change the ids of later alerts.
        const id = await alerts.open(op.alert, at);
        if (id !== undefined) open?.add(op.alert.key);
        const alert = id !== undefined ? await alerts.get(id) : undefined;
        if (alert) {
          changes.push({ type: 'alert', alert });
          this.transitions.push({
            op: 'opened',
            alert,
            related: 'related' in op ? op.related : [],
          });
        }
      } else {
        // None open: the UPDATE would change nothing.
        if (open && !open.has(op.key)) continue;
        const closed = await alerts.close(op.key, at);
        open?.delete(op.key);
        if (closed) {
          changes.push({ type: 'alert', alert: closed });
          this.transitions.push({ op: 'closed', alert: closed, related: [] });
        }
      }
    }
    return changes;
  }
}

/** The nodes whose boot rows the timeline may read in this batch: those with a state or status. */
function timelineNodes(decoded: readonly (Queued | Refusal | undefined)[]): string[] {
  const nodes = new Set<string>();
  for (const q of decoded)
    if (q && !('refused' in q) && (q.channel === 'state' || q.channel === 'status'))
      nodes.add(q.message.node);
  return [...nodes];
}

/** Several updates of one node in a batch are announced once; of a client, its last one. */
function dedupe(changes: LiveChange[]): LiveChange[] {
  const seen = new Set<string>();
  const lastOfClient = new Map<string, LiveChange>();
  for (const c of changes) if (c.type === 'client') lastOfClient.set(c.client.mac, c);
  return changes.filter((c) => {
    if (c.type === 'client') return lastOfClient.get(c.client.mac) === c;
    if (c.type !== 'node') return true;
    if (seen.has(c.node)) return false;
    seen.add(c.node);
    return true;
  });
}
