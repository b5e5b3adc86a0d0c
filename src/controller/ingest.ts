/**
 * Turns MQTT messages from the nodes into rows: validates each payload against its channel's
 * schema and against the topic it came on (a node cannot report as another) and commits it
 * before its acknowledgement is released, so a crash loses nothing the broker thinks was
 * delivered. MQTT clients hand over one message at a time, so each is its own short transaction
 * (cheap in WAL mode); what changed is announced in batches, at most every `flushMs`.
 *
 * @example
 * const ingest = new Ingest({ store, scheduler });
 * ingest.accept(topic, payload, () => puback());
 * ingest.on('change', (changes) => broadcast(changes));
 */
import { EventEmitter } from 'node:events';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import {
  decodeMessage,
  type CommandResult,
  type NodeConfigReport,
  type NodeMetrics,
} from '../mqtt/messages.ts';
import { parseNodeTopic } from '../mqtt/topics.ts';
import { alertOps, type IngestedMessage } from './alert-rules.ts';
import { pushUpdateOf } from './config-push-service.ts';
import type { Alert } from './store/alert-repo.ts';
import type { ControllerStore } from './store/controller-store.ts';
import type { StoredEvent } from './store/event-repo.ts';
import type { ConfigPush } from './store/push-repo.ts';

export type LiveChange =
  | { type: 'node'; node: string }
  | { type: 'event'; event: StoredEvent }
  | { type: 'alert'; alert: Alert }
  | { type: 'push'; push: ConfigPush };

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

export interface IngestOptions {
  store: ControllerStore;
  scheduler: Scheduler;
  /** Longest a change waits before it is announced. @default 20 */
  flushMs?: number;
}

export interface IngestStats {
  accepted: number;
  rejected: number;
  batches: number;
}

export class Ingest extends EventEmitter<{ change: [LiveChange[]] }> {
  readonly stats: IngestStats = { accepted: 0, rejected: 0, batches: 0 };
  private pending: LiveChange[] = [];
  private timer: TimerHandle | undefined;
  private readonly flushMs: number;
  private readonly writeOne: (q: Queued) => LiveChange[];

  constructor(private readonly options: IngestOptions) {
    super();
    this.flushMs = options.flushMs ?? 20;
    this.writeOne = (q) => options.store.transaction(() => this.write(q));
  }

  /**
   * Validates and stores one message. `ack` runs once it is committed (or refused: a refused
   * message must not be redelivered forever).
   */
  accept(topic: string, payload: Uint8Array, ack: () => void = () => {}): void {
    const now = this.options.scheduler.now();
    const where = parseNodeTopic(topic);
    if (!where || where.channel === 'command') {
      if (!where) this.reject(topic, 'not an intelli-mesh node topic', now);
      ack();
      return;
    }
    const decoded = decodeMessage(where.channel, payload);
    if (!decoded.ok) {
      this.reject(topic, decoded.error, now);
      ack();
      return;
    }
    const claimed = (decoded.value as { node: string }).node;
    if (claimed !== where.node) {
      this.reject(topic, `payload names node '${claimed}' on the topic of '${where.node}'`, now);
      ack();
      return;
    }
    this.stats.accepted++;
    const changes = this.writeOne({
      channel: where.channel,
      message: decoded.value,
      site: where.site,
      receivedAt: now,
    } as Queued);
    ack();
    if (changes.length === 0) return;
    this.pending.push(...changes);
    this.timer ??= this.options.scheduler.after(this.flushMs, () => this.flush());
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

  private write(q: Queued): LiveChange[] {
    const { store } = this.options;
    const at = q.receivedAt;
    switch (q.channel) {
      case 'status':
        store.nodes.recordStatus(q.site, q.message, at);
        return [{ type: 'node', node: q.message.node }, ...this.applyAlerts(q, at)];
      case 'state':
        store.nodes.recordState(q.site, q.message, at);
        return [{ type: 'node', node: q.message.node }, ...this.applyAlerts(q, at)];
      case 'events': {
        const id = store.events.add(q.message);
        return [{ type: 'event', event: { ...q.message, id } }, ...this.applyAlerts(q, at)];
      }
      case 'config':
        store.nodes.recordConfig(q.site, q.message, at);
        return [{ type: 'node', node: q.message.node }];
      case 'metrics': {
        const m = q.message;
        for (const [wan, v] of Object.entries(m.wans)) {
          if (v.latency_ms != null)
            store.metrics.record(m.node, `wan.${wan}.latency_ms`, m.at, v.latency_ms);
          if (v.loss != null) store.metrics.record(m.node, `wan.${wan}.loss`, m.at, v.loss);
        }
        if (m.cpu_percent !== undefined)
          store.metrics.record(m.node, 'cpu_percent', m.at, m.cpu_percent);
        if (m.rss_bytes !== undefined) store.metrics.record(m.node, 'rss_bytes', m.at, m.rss_bytes);
        return [];
      }
      case 'command/result': {
        const r = q.message;
        const pushId = pushUpdateOf(r.id, r.status);
        if (pushId === undefined || !store.pushes.update(pushId, r.status, r.reason, at)) return [];
        const push = store.pushes.get(pushId);
        return push ? [{ type: 'push', push }] : [];
      }
    }
  }

  private applyAlerts(q: IngestedMessage, at: number): LiveChange[] {
    const { alerts } = this.options.store;
    const changes: LiveChange[] = [];
    for (const op of alertOps(q)) {
      if (op.op === 'open') {
        const id = alerts.open(op.alert, at);
        const alert = id !== undefined ? alerts.get(id) : undefined;
        if (alert) changes.push({ type: 'alert', alert });
      } else {
        const closed = alerts.close(op.key, at);
        if (closed) changes.push({ type: 'alert', alert: closed });
      }
    }
    return changes;
  }

  private reject(topic: string, error: string, now: number): void {
    this.stats.rejected++;
    this.options.store.recordRejected(now, topic, error);
  }
}

/** Several updates of one node in a batch are announced once. */
function dedupe(changes: LiveChange[]): LiveChange[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    if (c.type !== 'node') return true;
    if (seen.has(c.node)) return false;
    seen.add(c.node);
    return true;
  });
}
