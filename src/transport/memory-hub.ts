/**
 * An in-memory shared channel: nodes attach by name and get a Medium; a LinkModel decides who
 * hears a frame, whether each copy is lost and how late it arrives; the Scheduler delivers it.
 * With a VirtualScheduler and a seeded model the whole run is deterministic.
 *
 * @example
 * const scheduler = new VirtualScheduler();
 * const hub = new MemoryHub(scheduler, UniformLinkModel.line(['A', 'B', 'C'], { lossRate: 0.1 }));
 * const [a, b, c] = ['A', 'B', 'C'].map((name) => hub.attach(name));
 * b.onFrame((frame, from) => console.log(from, frame)); // "A", Uint8Array [1, 2]
 * a.send(Uint8Array.of(1, 2));
 * scheduler.runAll();
 */
import { ClosedError, FrameTooLargeError } from '../core/errors.ts';
import type { FrameListener, LinkPeer, Medium } from '../core/medium.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { MediumCounters } from './medium-counters.ts';
import { DuplicateNodeError, InvalidMediumOptionError } from './errors.ts';
import type { LinkModel } from './link-model.ts';
import { ListenerSet } from './listener-set.ts';

/** The nRF24L01+ payload size: the radio the seed protocol was written for. */
export const NRF24_MTU = 32;

export interface MemoryHubOptions {
  /** MTU of media attached without their own. @default 32 (nRF24) */
  mtu?: number;
}

export interface AttachOptions {
  /** Largest frame this node may send. @default the hub's mtu */
  mtu?: number;
}

/** Totals over the whole hub, for the simulator's statistics. */
export interface HubCounters {
  /** Frames handed to `send`. */
  sent: number;
  /** Copies that reached an attached receiver. */
  delivered: number;
  /** Copies the link model lost. */
  lost: number;
}

/** A memory medium also reports its name and traffic counters. */
export interface MemoryMedium extends Medium {
  readonly name: string;
  readonly counters: Readonly<MediumCounters>;
}

function checkMtu(mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 1) {
    throw new InvalidMediumOptionError('mtu', mtu, 'an integer >= 1');
  }
  return mtu;
}

class MemoryEndpoint implements MemoryMedium {
  readonly counters: MediumCounters = { framesIn: 0, framesOut: 0, dropped: 0 };
  readonly listeners = new ListenerSet();
  closed = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly name: string,
    readonly mtu: number,
  ) {}

  send(frame: Uint8Array, to?: LinkPeer): void {
    if (this.closed) throw new ClosedError(`memory medium '${this.name}' is closed`);
    if (frame.length > this.mtu) throw new FrameTooLargeError(frame.length, this.mtu);
    this.counters.framesOut++;
    this.hub.transmit(this, frame, to);
  }

  onFrame(listener: FrameListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.listeners.clear();
      this.hub.detach(this);
    }
    return Promise.resolve();
  }
}

export class MemoryHub {
  readonly counters: HubCounters = { sent: 0, delivered: 0, lost: 0 };
  private readonly nodes = new Map<string, MemoryEndpoint>();
  private readonly mtu: number;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly model: LinkModel,
    options: MemoryHubOptions = {},
  ) {
    this.mtu = checkMtu(options.mtu ?? NRF24_MTU);
  }

  /** Joins node `name` to the channel; its frames are sent with `name` as `from`. */
  attach(name: string, options: AttachOptions = {}): MemoryMedium {
    if (this.nodes.has(name)) throw new DuplicateNodeError(name);
    const endpoint = new MemoryEndpoint(this, name, checkMtu(options.mtu ?? this.mtu));
    this.nodes.set(name, endpoint);
    return endpoint;
  }

  /** Names of the nodes attached right now. */
  attached(): string[] {
    return [...this.nodes.keys()];
  }

  /** @internal Called by an endpoint's close(). */
  detach(endpoint: MemoryEndpoint): void {
    if (this.nodes.get(endpoint.name) === endpoint) this.nodes.delete(endpoint.name);
  }

  /** @internal Fans one frame out to its receivers through the link model. */
  transmit(sender: MemoryEndpoint, frame: Uint8Array, to: LinkPeer | undefined): void {
    this.counters.sent++;
    if (to === undefined) {
      for (const peer of this.model.neighbours(sender.name)) this.copy(sender, peer, frame);
      return;
    }
    for (const peer of this.model.neighbours(sender.name)) {
      if (peer === to) {
        this.copy(sender, peer, frame);
        return;
      }
    }
  }

  private copy(sender: MemoryEndpoint, peer: string, frame: Uint8Array): void {
    const receiver = this.nodes.get(peer);
    if (receiver === undefined || receiver === sender) return;
    const fate = this.model.transmit(sender.name, peer, frame.length, this.scheduler.now());
    if (!fate.delivered) {
      this.counters.lost++;
      receiver.counters.dropped++;
      return;
    }
    // Each receiver gets its own copy taken now: neither the sender reusing its buffer nor
    // another receiver mutating what it got can change what this one sees.
    const copy = frame.slice();
    const from = sender.name;
    this.scheduler.after(fate.delayMs, () => {
      // A receiver that closed (or closed and re-attached as a new endpoint) gets nothing.
      if (receiver.closed) return;
      receiver.counters.framesIn++;
      this.counters.delivered++;
      receiver.listeners.emit(copy, from);
    });
  }
}
