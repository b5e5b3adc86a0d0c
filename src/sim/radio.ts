/**
 * The shared radio of a simulation: every node attaches Media to it, one per protocol port
 * (like an EtherType), so the routing engine, meshlink and later the agent share one radio
 * without reading each other's frames. Fate and delay of each copy come from a LinkModel.
 *
 * Received frames are shared between receivers, not copied: listeners must not mutate them.
 *
 * @example
 * const radio = new SimRadio(scheduler, channel, trace, 1400);
 * const m = radio.attach('n1', 'ogm');
 * m.onFrame((frame, from) => {});
 * m.send(bytes); // every neighbour of n1 in reach on port 'ogm' may hear it
 */
import { ClosedError, FrameTooLargeError } from '../core/errors.ts';
import type { FrameListener, LinkPeer, Medium } from '../core/medium.ts';
import type { Scheduler } from '../core/scheduler.ts';
import type { LinkModel } from '../transport/link-model.ts';
import type { Trace } from './trace.ts';

export interface RadioCounters {
  /** Bytes sent per port, summed over nodes (each broadcast counted once). */
  bytesSent: Map<string, number>;
  framesSent: Map<string, number>;
}

export class SimRadio {
  readonly counters: RadioCounters = { bytesSent: new Map(), framesSent: new Map() };
  private readonly listeners = new Map<string, FrameListener[]>();
  private readonly upNodes = new Set<string>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly model: LinkModel,
    private readonly trace: Trace,
    readonly mtu: number,
    private readonly controlPorts: ReadonlySet<string> = new Set(['ogm']),
  ) {}

  setNodeUp(node: string, up: boolean): void {
    if (up) this.upNodes.add(node);
    else this.upNodes.delete(node);
  }

  /** A Medium for `node` on `port`; closing it detaches its listeners. */
  attach(node: string, port: string): Medium {
    const key = `${node}\u0000${port}`;
    let closed = false;
    const own: FrameListener[] = [];
    return {
      mtu: this.mtu,
      send: (frame, to) => {
        if (closed) throw new ClosedError(`medium of ${node} on port ${port} is closed`);
        if (frame.length > this.mtu) throw new FrameTooLargeError(frame.length, this.mtu);
        this.send(node, port, frame, to);
      },
      onFrame: (listener) => {
        own.push(listener);
        const list = this.listeners.get(key) ?? [];
        list.push(listener);
        this.listeners.set(key, list);
        return () => {
          const l = this.listeners.get(key);
          if (l)
            this.listeners.set(
              key,
              l.filter((x) => x !== listener),
            );
        };
      },
      close: async () => {
        closed = true;
        const l = this.listeners.get(key);
        if (l)
          this.listeners.set(
            key,
            l.filter((x) => !own.includes(x)),
          );
      },
    };
  }

  private send(from: string, port: string, frame: Uint8Array, to: LinkPeer | undefined): void {
    if (!this.upNodes.has(from)) return;
    const now = this.scheduler.now();
    const traced = this.trace.controlFrames || !this.controlPorts.has(port);
    this.counters.bytesSent.set(port, (this.counters.bytesSent.get(port) ?? 0) + frame.length);
    this.counters.framesSent.set(port, (this.counters.framesSent.get(port) ?? 0) + 1);
    if (traced) this.trace.frame('tx', now, from, port, frame.length, to ?? '*');
    if (to !== undefined) {
      let reachable = false;
      for (const n of this.model.neighbours(from)) if (n === to) reachable = true;
      if (!reachable) {
        if (traced) this.trace.drop(now, from, port, 'no-link', `to ${to}`);
        return;
      }
      this.carry(from, to, port, frame, now, traced);
      return;
    }
    for (const n of this.model.neighbours(from)) this.carry(from, n, port, frame, now, traced);
  }

  private carry(
    from: string,
    to: string,
    port: string,
    frame: Uint8Array,
    now: number,
    traced: boolean,
  ): void {
    const t = this.model.transmit(from, to, frame.length, now);
    if (!t.delivered) {
      if (traced) this.trace.drop(now, to, port, 'channel-loss', `from ${from}`);
      return;
    }
    this.scheduler.after(t.delayMs, () => {
      const at = this.scheduler.now();
      if (!this.upNodes.has(to)) {
        if (traced) this.trace.drop(at, to, port, 'receiver-down', `from ${from}`);
        return;
      }
      if (traced) this.trace.frame('rx', at, to, port, frame.length, from);
      const list = this.listeners.get(`${to}\u0000${port}`);
      if (list) for (const l of list) l(frame, from);
    });
  }
}
