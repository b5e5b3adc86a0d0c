/**
 * The thin adapter that runs a sans-IO MeshNode on a real or virtual Medium and Scheduler, with
 * a promise and EventEmitter API. The only place meshlink meets I/O.
 *
 * Events: `message` (from, data, hops), `connection` (MeshStream), `unreachable` (MeshEvent),
 * `pong` (reply), `event` (every MeshEvent, for logs and the dashboard).
 *
 * @example
 * const host = new MeshlinkHost({ address: 1, medium, scheduler, random: seededRandom(1) });
 * const reply = await host.ping(2); // { from: 2, rttMs: 4, hops: 0 }
 * await host.send(2, new TextEncoder().encode('hello'));
 * const graph = await host.scan(2);
 */
import { EventEmitter } from 'node:events';
import type { IntelliMeshError } from '../core/errors.ts';
import type { MeshEvent } from '../core/events.ts';
import type { Medium } from '../core/medium.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import { PingTimeoutError, ReceiptTimeoutError, UnreachableError } from './errors.ts';
import { MeshNode, type MeshNodeOptions } from './mesh-node.ts';
import { MeshStream } from './mesh-stream.ts';
import type { NodeEvent } from './node-events.ts';
import type { NeighbourGraph } from './scan.ts';

export interface MeshlinkHostOptions extends Omit<MeshNodeOptions, 'mtu'> {
  medium: Medium;
  scheduler: Scheduler;
  logger?: Logger;
  /** Node name in MeshEvents. @default `node-<address>` */
  name?: string;
}

export interface PingReply {
  from: number;
  rttMs: number;
  hops: number;
}

interface Waiter {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
}

export class MeshlinkHost extends EventEmitter {
  readonly node: MeshNode;
  readonly name: string;
  private readonly medium: Medium;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly waiters = new Map<number, Waiter>();
  private readonly streams = new Map<number, MeshStream>();
  private readonly detach: () => void;
  private timer: TimerHandle | undefined;
  private timerAt: number | undefined;
  private flushing = false;
  private dirty = false;

  constructor(options: MeshlinkHostOptions) {
    super();
    const { medium, scheduler, logger, name, ...nodeOptions } = options;
    this.medium = medium;
    this.scheduler = scheduler;
    this.logger = logger ?? silentLogger;
    this.name = name ?? `node-${options.address}`;
    this.node = new MeshNode({ ...nodeOptions, mtu: medium.mtu });
    this.detach = medium.onFrame((frame, from) => {
      this.node.receive(frame, from, this.scheduler.now());
      this.flush();
    });
  }

  get address(): number {
    return this.node.address;
  }

  ping(dst: number): Promise<PingReply> {
    return this.start(() => this.node.ping(dst, this.scheduler.now()));
  }

  /** Resolves once the destination confirmed the whole message. */
  send(dst: number, data: Uint8Array): Promise<void> {
    return this.start(() => this.node.send(dst, data, this.scheduler.now()));
  }

  scan(depth: number): Promise<NeighbourGraph> {
    return this.start(() => this.node.scan(depth, this.scheduler.now()));
  }

  connect(dst: number): Promise<MeshStream> {
    return this.start(() => {
      const id = this.node.connect(dst, this.scheduler.now());
      this.streams.set(id, this.makeStream(id, dst));
      return id;
    });
  }

  /** Detaches from the medium and drops pending work; waiting promises are left unsettled. */
  close(): void {
    this.detach();
    this.timer?.cancel();
    this.timer = undefined;
    this.node.close();
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.waiters.clear();
  }

  private start<T>(op: () => number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = op();
      this.waiters.set(id, { resolve: resolve as (v: never) => void, reject });
      this.flush();
    });
  }

  private settle(id: number, value: unknown, error?: Error): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    if (error) w.reject(error);
    else w.resolve(value as never);
  }

  private makeStream(id: number, peer: number): MeshStream {
    return new MeshStream(
      {
        write: (cid, data) => {
          this.node.write(cid, data, this.scheduler.now());
          this.flush();
        },
        end: (cid) => {
          this.node.end(cid, this.scheduler.now());
          this.flush();
        },
        queuedBytes: (cid) => this.node.queuedBytes(cid),
      },
      id,
      peer,
    );
  }

  /** Sends queued frames, dispatches events and re-arms the timer; safe to re-enter. */
  private flush(): void {
    if (this.flushing) {
      this.dirty = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.dirty = false;
        for (const out of this.node.takeOutputs()) {
          try {
            this.medium.send(out.bytes, out.to);
          } catch (err) {
            this.logger.warn({ err, node: this.name }, 'medium refused a frame');
          }
        }
        for (const e of this.node.takeEvents()) this.dispatch(e);
        for (const s of this.streams.values()) s.drained();
      } while (this.dirty);
    } finally {
      this.flushing = false;
    }
    this.arm();
  }

  private arm(): void {
    const at = this.node.nextDeadline();
    if (at === this.timerAt) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = this.scheduler.after(Math.max(0, at - this.scheduler.now()), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.node.tick(Math.max(at, this.scheduler.now()));
      this.flush();
    });
  }

  private dispatch(e: NodeEvent): void {
    switch (e.kind) {
      case 'message':
        this.emit('message', e.from, e.data, e.hops);
        break;
      case 'delivered':
        this.settle(e.id, undefined);
        break;
      case 'pong': {
        const reply: PingReply = { from: e.from, rttMs: e.rttMs, hops: e.hops };
        this.emit('pong', reply);
        this.settle(e.id, reply);
        break;
      }
      case 'ping-timeout':
        this.settle(e.id, undefined, new PingTimeoutError(e.dst, 0));
        break;
      case 'receipt-timeout':
        this.settle(e.id, undefined, new ReceiptTimeoutError(e.dst, 0));
        break;
      case 'unreachable': {
        const event: MeshEvent = {
          at: e.at,
          node: this.name,
          kind: 'unreachable',
          subject: String(e.dst),
          from: 'reachable',
          to: 'unreachable',
          reason: e.reporter === this.address ? e.reason : `reported by ${e.reporter}: ${e.reason}`,
        };
        this.emit('unreachable', event);
        this.emit('event', event);
        if (e.id !== undefined) this.settle(e.id, undefined, new UnreachableError(e.dst, e.reason));
        break;
      }
      case 'scan-result':
        this.settle(e.id, e.graph);
        break;
      case 'connection': {
        const s = this.makeStream(e.id, e.peer);
        this.streams.set(e.id, s);
        this.emit('connection', s);
        break;
      }
      case 'connection-open':
        this.settle(e.id, this.streams.get(e.id));
        break;
      case 'connection-data':
        this.streams.get(e.id)?.deliver(e.data);
        break;
      case 'connection-end':
        this.streams.get(e.id)?.peerEnded();
        break;
      case 'connection-closed':
        this.streams.delete(e.id);
        break;
      case 'connection-error':
        this.failStream(e.id, e.error);
        break;
    }
  }

  private failStream(id: number, error: IntelliMeshError): void {
    const s = this.streams.get(id);
    this.streams.delete(id);
    if (this.waiters.has(id)) this.settle(id, undefined, error);
    else s?.destroy(error);
  }
}
