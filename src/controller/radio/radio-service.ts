/**
 * The controller's side of the radio networks: stores what radio gateways report (each batch in
 * one transaction, committed before its acknowledgement, as the node ingest), judges each radio
 * node reachable or not (radio-liveness.ts) with timeline events and an alert, sends commands
 * to a gateway that hears the node and matches each result to its request by id, with a
 * timeout. Changes reach dashboards as `radio-node` and `radio-message` live changes.
 *
 * @example
 * const radio = new RadioService({ store, scheduler, site: 'lab', publish, broadcast });
 * radio.acceptBatch(messages); // from the controller's MQTT session
 * const r = await radio.command({ address: 69 }, { kind: 'ping' }); // { ok: true, rtt_ms, gateway }
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { IntelliMeshError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { Scheduler, TimerHandle } from '../../core/scheduler.ts';
import {
  decodeRadioMessage,
  type RadioCommand,
  type RadioCommandResult,
} from '../../mqtt/radio-messages.ts';
import { parseRadioTopic, radioTopic } from '../../mqtt/radio-topics.ts';
import { futureTimestampError } from '../timestamp-skew.ts';
import type { AlertTransition, LiveChange } from '../ingest.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import type { StoreScope } from '../store/store-scope.ts';
import {
  DEFAULT_RADIO_LIVENESS,
  livenessOps,
  radioAlertKey,
  radioSubject,
  type RadioLivenessOptions,
} from './radio-liveness.ts';
import { radioNodeView, type RadioNodeRecord, type RadioRepo } from './radio-repo.ts';
import type { RadioNodeView } from './radio-records.ts';

/** No such radio node (404). */
export class UnknownRadioNodeError extends IntelliMeshError {}
/** The address is in several networks and none was named (400). */
export class AmbiguousRadioNodeError extends IntelliMeshError {}
/** No online gateway reports the node (503). */
export class NoRadioGatewayError extends IntelliMeshError {}
/** The gateway did not answer in time (504). */
export class RadioCommandTimeoutError extends IntelliMeshError {}

export interface RadioCommandTimeouts {
  /** @default 6000 */
  ping: number;
  /** Plus 4 s per level. @default 20000 */
  scan: number;
  /** @default 20000 */
  send: number;
  /** @default 15000 */
  stream: number;
}

export interface RadioServiceOptions {
  store: ControllerStore;
  scheduler: Scheduler;
  site: string;
  /** Publishes a command to a gateway (QoS 1). */
  publish: (topic: string, payload: string) => Promise<void>;
  /** Hands committed changes to the dashboards. */
  broadcast: (changes: LiveChange[]) => void;
  liveness?: Partial<RadioLivenessOptions>;
  timeouts?: Partial<RadioCommandTimeouts>;
  /** How often silence is checked. @default a quarter of the shorter threshold, 250 ms..5 s */
  sweepMs?: number;
  logger?: Logger;
}

type CommandBody =
  | { kind: 'ping' }
  | { kind: 'scan'; depth: number }
  | { kind: 'send'; bytes: Uint8Array }
  | { kind: 'stream'; bytes: Uint8Array; window_ms?: number };

export interface RadioCommandOutcome {
  gateway: string;
  network: string;
  result: RadioCommandResult;
}

interface Pending {
  resolve: (r: RadioCommandResult) => void;
  timer: TimerHandle;
}

export class RadioService extends EventEmitter<{ alert: [AlertTransition] }> {
  private readonly liveness: RadioLivenessOptions;
  private readonly timeouts: RadioCommandTimeouts;
  private readonly pending = new Map<string, Pending>();
  /** The radio node each pending command is about (a ping's RTT goes to its history). */
  private readonly pendingAddress = new Map<string, number>();
  private readonly log: Logger;
  private sweepTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly o: RadioServiceOptions) {
    super();
    this.liveness = { ...DEFAULT_RADIO_LIVENESS, ...o.liveness };
    this.timeouts = { ping: 6000, scan: 20_000, send: 20_000, stream: 15_000, ...o.timeouts };
    this.log = o.logger ?? silentLogger;
  }

  /** The radio tables, outside any transaction. */
  get repo(): RadioRepo {
    return this.o.store.radio;
  }

  /** Starts the periodic silence check. */
  start(): void {
    const every =
      this.o.sweepMs ??
      Math.min(
        5000,
        Math.max(250, Math.min(this.liveness.unreachableAfterMs, this.liveness.alertAfterMs) / 4),
      );
    const tick = () => {
      if (this.closed) return;
      this.sweepTimer = this.o.scheduler.after(every, tick);
      this.sweep().catch((err: Error) =>
        this.log.error({ err: err.message }, 'radio sweep failed'),
      );
    };
    this.sweepTimer = this.o.scheduler.after(every, tick);
  }

  close(): void {
    this.closed = true;
    this.sweepTimer?.cancel();
    for (const [id, p] of this.pending) {
      p.timer.cancel();
      p.resolve({
        id,
        gateway: '',
        network: '',
        at: this.o.scheduler.now(),
        ok: false,
        reason: 'closed',
        error: 'controller stopping',
      });
    }
    this.pending.clear();
  }

  /** Whether a topic is the radio part of the tree (for the MQTT session's router). */
  static owns(topic: string): boolean {
    return topic.split('/', 3)[2] === 'radio';
  }

  /** Validates and stores a batch of radio messages in one transaction. */
  async acceptBatch(batch: readonly { topic: string; payload: Uint8Array }[]): Promise<void> {
    // Whole milliseconds: the API shows these times as ISO dates.
    const now = Math.round(this.o.scheduler.now());
    const changes: LiveChange[] = [];
    const results: RadioCommandResult[] = [];
    const alerts: AlertTransition[] = [];
    await this.o.store.transaction(async (tx) => {
      for (const m of batch) {
        try {
          // A savepoint each: one message the store refuses leaves the others of the batch.
          const error = await tx.transaction(() =>
            this.write(tx, m.topic, m.payload, now, changes, results),
          );
          if (error) await tx.recordRejected(now, m.topic, error);
        } catch (err) {
          await tx.recordRejected(now, m.topic, `store refused it: ${(err as Error).message}`);
        }
      }
      await this.sweepInto(tx, now, changes, alerts);
    });
    for (const t of alerts) this.emit('alert', t);
    this.broadcast(changes);
    for (const r of results) this.settle(r);
  }

  async nodes(): Promise<RadioNodeView[]> {
    return (await this.repo.records()).map(radioNodeView);
  }

  /** The node record at `address`, in `network` or the only network that has it. */
  async find(address: number, network?: string): Promise<RadioNodeRecord> {
    const networks = network === undefined ? await this.repo.networksOf(address) : [network];
    if (networks.length > 1)
      throw new AmbiguousRadioNodeError(
        `radio node ${address} is in networks ${networks.join(', ')}: add ?network=NAME`,
      );
    const r = networks[0] === undefined ? undefined : await this.repo.record(networks[0], address);
    if (!r)
      throw new UnknownRadioNodeError(
        `no radio node ${address}${network !== undefined ? ` in network ${network}` : ''}`,
      );
    return r;
  }

  /**
   * Sends a command through the online gateway that heard the node last and waits for its
   * result. Throws UnknownRadioNodeError, NoRadioGatewayError or RadioCommandTimeoutError.
   */
  async command(
    target: { address: number; network?: string },
    body: CommandBody,
  ): Promise<RadioCommandOutcome> {
    const node = await this.find(target.address, target.network);
    const online = new Set(
      (await this.repo.gateways())
        .filter((g) => g.online && g.network === node.network)
        .map((g) => g.id),
    );
    const gateway = [...node.sightings]
      .filter((s) => online.has(s.gateway))
      .sort(
        (a, b) => (b.last_heard ?? 0) - (a.last_heard ?? 0) || (a.hops ?? 99) - (b.hops ?? 99),
      )[0]?.gateway;
    if (gateway === undefined)
      throw new NoRadioGatewayError(
        `no online radio gateway of network ${node.network} reports node ${node.address}`,
      );
    const id = `r${randomBytes(6).toString('hex')}`;
    const command = toCommand(id, node.address, body);
    const timeoutMs =
      body.kind === 'scan' ? this.timeouts.scan + 4000 * body.depth : this.timeouts[body.kind];
    if (body.kind === 'send' || body.kind === 'stream') {
      const message = await this.o.store.transaction((tx) =>
        tx.radio.addMessage({
          network: node.network,
          address: node.address,
          at: Math.round(this.o.scheduler.now()),
          direction: 'to-node',
          gateway,
          bytes: body.bytes,
        }),
      );
      this.broadcast([{ type: 'radio-message', message }]);
    }
    const result = await new Promise<RadioCommandResult>((resolve, reject) => {
      const timer = this.o.scheduler.after(timeoutMs, () => {
        this.pending.delete(id);
        this.pendingAddress.delete(id);
        reject(
          new RadioCommandTimeoutError(
            `radio gateway ${gateway} did not answer the ${body.kind} of node ${node.address} within ${Math.round(timeoutMs / 1000)} s`,
          ),
        );
      });
      this.pending.set(id, { resolve, timer });
      this.pendingAddress.set(id, node.address);
      this.o
        .publish(radioTopic(this.o.site, node.network, gateway, 'command'), JSON.stringify(command))
        .catch((err: Error) => {
          this.log.warn({ err: err.message, gateway }, 'radio command not sent');
        });
    });
    return { gateway, network: node.network, result };
  }

  private settle(r: RadioCommandResult): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    this.pendingAddress.delete(r.id);
    p.timer.cancel();
    p.resolve(r);
  }

  /** Stores one message; returns why it was refused, if it was. */
  private async write(
    tx: StoreScope,
    topic: string,
    payload: Uint8Array,
    now: number,
    changes: LiveChange[],
    results: RadioCommandResult[],
  ): Promise<string | undefined> {
    const where = parseRadioTopic(topic);
    if (!where || where.site !== this.o.site) return 'not a radio topic of this site';
    if (where.channel === 'command') return undefined;
    const decoded = decodeRadioMessage(where.channel, payload);
    if (!decoded.ok) return decoded.error;
    const v = decoded.value as { gateway: string; network: string; at: number };
    if (v.gateway !== where.gateway || v.network !== where.network)
      return `payload names gateway '${v.gateway}' of network '${v.network}' on the topic of '${where.gateway}' of '${where.network}'`;
    const ahead = futureTimestampError(v.at, now);
    if (ahead) return ahead;
    const repo = tx.radio;
    const changed = async (address: number) => {
      const r = await repo.record(where.network, address);
      if (r) changes.push({ type: 'radio-node', node: radioNodeView(r) });
    };
    switch (where.channel) {
      case 'status': {
        const s = decoded.value as { online: boolean; address?: number };
        await repo.upsertGateway(where.gateway, where.network, s.address ?? null, s.online, now);
        return undefined;
      }
      case 'node': {
        const r = decoded.value as Parameters<RadioRepo['recordSighting']>[0];
        if (r.address !== where.address)
          return `payload names radio node ${r.address} on the topic of node ${where.address}`;
        await repo.touchGateway(where.gateway, where.network, now);
        await repo.recordSighting(r, now);
        await changed(r.address);
        return undefined;
      }
      case 'graph': {
        const g = decoded.value as { origin: number; nodes: number[]; edges: [number, number][] };
        await repo.touchGateway(where.gateway, where.network, now);
        await repo.saveGraph({
          network: where.network,
          gateway: where.gateway,
          at: Math.min(v.at, now),
          ...g,
        });
        return undefined;
      }
      case 'message': {
        const m = decoded.value as { from: number; hops: number; bytes_hex: string };
        await repo.heard(where.network, m.from, where.gateway, Math.min(v.at, now), m.hops);
        const message = await repo.addMessage({
          network: where.network,
          address: m.from,
          at: Math.min(v.at, now),
          direction: 'from-node',
          gateway: where.gateway,
          bytes: Buffer.from(m.bytes_hex, 'hex'),
        });
        changes.push({ type: 'radio-message', message });
        await changed(m.from);
        return undefined;
      }
      case 'events':
        // The gateway's own meshlink reports (a send that found no route): the controller judges
        // reachability by silence, so they are not stored.
        return undefined;
      case 'command/result': {
        const r = decoded.value as RadioCommandResult;
        if (r.ok && r.rtt_ms !== undefined && this.pending.has(r.id)) {
          const address = this.pendingAddress.get(r.id);
          if (address !== undefined) {
            await repo.heard(where.network, address, where.gateway, Math.min(v.at, now), r.hops);
            await repo.addRtt(where.network, address, Math.min(v.at, now), r.rtt_ms, where.gateway);
            await changed(address);
          }
        }
        results.push(r);
        return undefined;
      }
    }
  }

  /** Checks every node's silence now (also run after each batch). */
  async sweep(): Promise<void> {
    const changes: LiveChange[] = [];
    const alerts: AlertTransition[] = [];
    await this.o.store.transaction((tx) =>
      this.sweepInto(tx, Math.round(this.o.scheduler.now()), changes, alerts),
    );
    for (const t of alerts) this.emit('alert', t);
    this.broadcast(changes);
  }

  /** Judges every node's silence; the alert transitions are announced once committed. */
  private async sweepInto(
    tx: StoreScope,
    now: number,
    changes: LiveChange[],
    transitions: AlertTransition[],
  ): Promise<void> {
    const records = await tx.radio.records();
    const openAlerts = new Set(
      (await tx.alerts.listOpen())
        .filter((a) => a.kind === 'radio-node-unreachable')
        .map((a) => a.key),
    );
    const views = records.map((r) => ({ ...radioNodeView(r), first_seen: r.first_seen }));
    const ops = livenessOps(views, now, this.liveness, openAlerts);
    const { events, alerts } = tx;
    for (const op of ops) {
      const subject = radioSubject(op.network, op.address);
      const key = radioAlertKey(op.network, op.address);
      switch (op.op) {
        case 'unreachable':
        case 'reachable': {
          await tx.radio.setStatus(op.network, op.address, op.op, now);
          const seconds = Math.round(op.silentMs / 1000);
          await events.record({
            at: now,
            node: subject,
            kind: `radio-node-${op.op}`,
            subject: String(op.address),
            from: op.op === 'unreachable' ? 'reachable' : 'unreachable',
            to: op.op,
            reason:
              op.op === 'unreachable'
                ? `no radio gateway heard radio node ${op.address} of network ${op.network} for ${seconds} s (threshold ${Math.round(this.liveness.unreachableAfterMs / 1000)} s)`
                : `radio node ${op.address} of network ${op.network} heard again`,
          });
          const r = await tx.radio.record(op.network, op.address);
          if (r) changes.push({ type: 'radio-node', node: radioNodeView(r) });
          break;
        }
        case 'alert-open': {
          const id = await alerts.open(
            {
              key,
              node: subject,
              kind: 'radio-node-unreachable',
              subject: String(op.address),
              severity: 'warning',
              message: `radio node ${op.address} of network ${op.network} unreachable: silent for ${Math.round(op.silentMs / 1000)} s`,
            },
            now,
          );
          const alert = id === undefined ? undefined : await alerts.get(id);
          if (alert) {
            changes.push({ type: 'alert', alert });
            transitions.push({ op: 'opened', alert, related: [] });
          }
          break;
        }
        case 'alert-close': {
          const closed = await alerts.close(key, now);
          if (closed) {
            changes.push({ type: 'alert', alert: closed });
            transitions.push({ op: 'closed', alert: closed, related: [] });
          }
          break;
        }
      }
    }
  }

  private broadcast(changes: LiveChange[]): void {
    if (changes.length === 0) return;
    // One announcement per node per batch: its latest view.
    const last = new Map<string, number>();
    changes.forEach((c, i) => {
      if (c.type === 'radio-node') last.set(`${c.node.network}/${c.node.address}`, i);
    });
    this.o.broadcast(
      changes.filter(
        (c, i) => c.type !== 'radio-node' || last.get(`${c.node.network}/${c.node.address}`) === i,
      ),
    );
  }
}

function toCommand(id: string, address: number, body: CommandBody): RadioCommand {
  switch (body.kind) {
    case 'ping':
      return { id, kind: 'ping', address };
    case 'scan':
      return { id, kind: 'scan', address, depth: body.depth };
    case 'send':
      return { id, kind: 'send', address, bytes_hex: Buffer.from(body.bytes).toString('hex') };
    case 'stream':
      return {
        id,
        kind: 'stream',
        address,
        bytes_hex: Buffer.from(body.bytes).toString('hex'),
        ...(body.window_ms !== undefined ? { window_ms: body.window_ms } : {}),
      };
  }
}
