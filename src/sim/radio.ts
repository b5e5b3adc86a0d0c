/**
 * The shared radio of a simulation: every node attaches Media to it, one per protocol port
 * (like an EtherType), so the routing engine, meshlink and later the agent share one radio
 * without reading each other's frames. Fate and delay of each copy come from the SimChannel.
 *
 * Nodes and ports are small integers on the hot path (listeners in arrays by port and node, up
 * flags in a byte array), and the copies of one broadcast that arrive at the same instant share
 * one scheduler event: in a mesh where most links have the same latency that is one event per
 * frame instead of one per neighbour. The order of deliveries and trace lines is unchanged, since
 * copies of one send scheduled for the same instant ran back to back anyway.
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
import type { DirectedLink, SimChannel } from './channel.ts';
import type { Trace } from './trace.ts';

export interface RadioCounters {
  /** Bytes sent per port, summed over nodes (each broadcast counted once). */
  bytesSent: Map<string, number>;
  framesSent: Map<string, number>;
  /** Copies handed to receivers' listeners per port (a broadcast heard by 7 counts 7). */
  framesReceived: Map<string, number>;
}

const NO_LISTENERS: readonly FrameListener[] = [];

function hears(hearers: readonly DirectedLink[], node: number): boolean {
  for (const l of hearers) if (l.to === node) return true;
  return false;
}

/** The copies of one send that arrive at the same instant: receivers by node index. */
interface Arrival {
  delayMs: number;
  to: number[];
}

export class SimRadio {
  private readonly ports = new Map<string, number>();
  // Counters by port index; `counters` turns them into maps by port name when read.
  private readonly bytesSent: number[] = [];
  private readonly framesSent: number[] = [];
  private readonly framesReceived: number[] = [];
  /** listeners[port][node] */
  private readonly listeners: Array<Array<readonly FrameListener[] | undefined>> = [];
  private up = new Uint8Array(16);
  private readonly control: boolean[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly channel: SimChannel,
    private readonly trace: Trace,
    readonly mtu: number,
    private readonly controlPorts: ReadonlySet<string> = new Set(['ogm']),
  ) {}

  /** A snapshot of the counters, by port name (ports that have sent something). */
  get counters(): RadioCounters {
    const c: RadioCounters = {
      bytesSent: new Map(),
      framesSent: new Map(),
      framesReceived: new Map(),
    };
    for (const [name, p] of this.ports) {
      if (this.framesSent[p] === 0) continue;
      c.bytesSent.set(name, this.bytesSent[p]!);
      c.framesSent.set(name, this.framesSent[p]!);
      c.framesReceived.set(name, this.framesReceived[p]!);
    }
    return c;
  }

  setNodeUp(node: string, up: boolean): void {
    const i = this.channel.intern(node);
    if (i >= this.up.length) {
      const grown = new Uint8Array(Math.max(i + 1, this.up.length * 2));
      grown.set(this.up);
      this.up = grown;
    }
    this.up[i] = up ? 1 : 0;
  }

  /** A Medium for `node` on `port`; closing it detaches its listeners. */
  attach(node: string, port: string): Medium {
    const n = this.channel.intern(node);
    const p = this.port(port);
    const byNode = this.listeners[p]!;
    let closed = false;
    const own: FrameListener[] = [];
    // Lists are replaced, never mutated, so a delivery in progress keeps the list it started.
    const remove = (gone: (l: FrameListener) => boolean): void => {
      const l = byNode[n];
      if (l) byNode[n] = l.filter((x) => !gone(x));
    };
    return {
      mtu: this.mtu,
      send: (frame, to) => {
        if (closed) throw new ClosedError(`medium of ${node} on port ${port} is closed`);
        if (frame.length > this.mtu) throw new FrameTooLargeError(frame.length, this.mtu);
        this.send(n, p, port, frame, to);
      },
      onFrame: (listener) => {
        own.push(listener);
        byNode[n] = [...(byNode[n] ?? NO_LISTENERS), listener];
        return () => remove((x) => x === listener);
      },
      close: async () => {
        closed = true;
        remove((x) => own.includes(x));
      },
    };
  }

  private port(name: string): number {
    let p = this.ports.get(name);
    if (p === undefined) {
      p = this.listeners.length;
      this.ports.set(name, p);
      this.listeners.push([]);
      this.control.push(this.controlPorts.has(name));
      this.bytesSent.push(0);
      this.framesSent.push(0);
      this.framesReceived.push(0);
    }
    return p;
  }

  private send(
    from: number,
    port: number,
    portName: string,
    frame: Uint8Array,
    to: LinkPeer | undefined,
  ): void {
    if (this.up[from] !== 1) return;
    const now = this.scheduler.now();
    const names = this.channel.names;
    const fromName = names[from]!;
    const traced = this.trace.controlFrames || !this.control[port];
    this.bytesSent[port] = this.bytesSent[port]! + frame.length;
    this.framesSent[port] = this.framesSent[port]! + 1;
    if (traced) this.trace.frame('tx', now, fromName, portName, frame.length, to ?? '*');
    const hearers = this.channel.hearers(from);
    const target = to === undefined ? -1 : this.channel.indexOf(to);
    if (to !== undefined && !hears(hearers, target)) {
      if (traced) this.trace.drop(now, fromName, portName, 'no-link', `to ${to}`);
      return;
    }
    let first: Arrival | undefined;
    let others: Arrival[] | undefined;
    for (const l of hearers) {
      if (target >= 0 && l.to !== target) continue;
      const delay = this.channel.transmitLink(l, frame.length, now);
      if (delay < 0) {
        if (traced)
          this.trace.drop(now, names[l.to]!, portName, 'channel-loss', `from ${fromName}`);
        continue;
      }
      if (!first) first = { delayMs: delay, to: [l.to] };
      else if (first.delayMs === delay) first.to.push(l.to);
      else {
        others ??= [];
        const same = others.find((a) => a.delayMs === delay);
        if (same) same.to.push(l.to);
        else others.push({ delayMs: delay, to: [l.to] });
      }
    }
    // Groups are scheduled in the order of their first copy: the order the copies had.
    if (first) this.schedule(first, from, port, portName, frame, traced);
    if (others) for (const a of others) this.schedule(a, from, port, portName, frame, traced);
  }

  private schedule(
    a: Arrival,
    from: number,
    port: number,
    portName: string,
    frame: Uint8Array,
    traced: boolean,
  ): void {
    this.scheduler.after(a.delayMs, () => {
      const at = this.scheduler.now();
      const names = this.channel.names;
      const fromName = names[from]!;
      const byNode = this.listeners[port]!;
      let received = 0;
      for (const to of a.to) {
        if (this.up[to] !== 1) {
          if (traced)
            this.trace.drop(at, names[to]!, portName, 'receiver-down', `from ${fromName}`);
          continue;
        }
        received++;
        if (traced) this.trace.frame('rx', at, names[to]!, portName, frame.length, fromName);
        const list = byNode[to];
        if (list) for (const l of list) l(frame, fromName);
      }
      this.framesReceived[port] = this.framesReceived[port]! + received;
    });
  }
}
