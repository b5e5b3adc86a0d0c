/**
 * One meshlink node as a sans-IO state machine: fed received frames and the time, it returns
 * frames to send and events. No sockets, timers or wall clock inside; a host (see
 * meshlink-host.ts, the simulator, or a test) calls `tick` at `nextDeadline()`.
 *
 * Delivery model:
 * - Data-carrying frames (DATA, SYN, CMD, RSP, FIN, RECEIPT, UNREACHABLE) are acknowledged hop
 *   by hop with an ACK and retried with backoff and jitter; a relay that gives up on its next
 *   hop reports UNREACHABLE back to the sender, which raises an `unreachable` event.
 * - A whole reassembled message is confirmed end to end by a RECEIPT from its destination.
 * - Probes (PING/SCAN) are acknowledged by their answers (PONG/RSCAN) only, so a seed C node,
 *   which never sends ACKs, can ping and be pinged; pongs are never retried.
 * - Forwarding: the router hook, then learned return paths, then flooding (hop = 0) with
 *   duplicate suppression and a hop limit.
 *
 * @example
 * const node = new MeshNode({ address: 1, mtu: 32, random: seededRandom(1) });
 * const id = node.ping(2, 0);
 * for (const out of node.takeOutputs()) medium.send(out.bytes, out.to);
 * node.receive(bytesFromMedium, 'peer-2', 12); // later: node.takeEvents() holds the pong
 */
import type { LinkPeer } from '../core/medium.ts';
import { ClosedError } from '../core/errors.ts';
import { ackFor, ackedFrameKey } from './ack-frame.ts';
import { ConnectionManager } from './connection-manager.ts';
import { DuplicateFilter, frameKey } from './duplicate-filter.ts';
import { InvalidAddressError, SendQueueFullError } from './errors.ts';
import { emptyFrame, encodeFrame, tryDecodeFrame, type Frame } from './frame-codec.ts';
import { fragmentPayloadSize, fragmentPayloads } from './fragmenter.ts';
import type { NodeEvent, NodeStats, Output } from './node-events.ts';
import type { NodePort } from './node-port.ts';
import { PacketType } from './packet-type.ts';
import { Reassembler } from './reassembler.ts';
import { ReliableSender } from './reliable-sender.ts';
import { RouteTable } from './route-table.ts';
import { ScanCoordinator } from './scan-coordinator.ts';
import { SequenceGenerator, nextSequence } from './sequence.ts';
import {
  type MeshNodeOptions,
  type ResolvedNodeOptions,
  type Router,
  resolveNodeOptions,
} from './mesh-node-options.ts';

export type { MeshNodeOptions, Router };

interface HopMeta {
  local: boolean;
  msgId: number | undefined;
  src: number;
  dst: number;
  type: number;
  sequence: number;
  flood: boolean;
}

interface OutMessage {
  id: number;
  dst: number;
  type: number;
  sequence: number;
  fragments: number;
  deadline: number;
  connId: number | undefined;
}

interface PendingPing {
  id: number;
  dst: number;
  sequence: number;
  sentAt: number;
  deadline: number;
}

const RELIABLE = new Set<number>([
  PacketType.Syn,
  PacketType.Cmd,
  PacketType.Rsp,
  PacketType.Fin,
  PacketType.Data,
  PacketType.Receipt,
  PacketType.Unreachable,
]);

export class MeshNode {
  readonly address: number;
  readonly mtu: number;
  readonly stats: NodeStats = {
    framesIn: 0,
    framesOut: 0,
    rejected: {},
    duplicates: 0,
    relayed: 0,
    hopLimitDrops: 0,
    badResponses: 0,
    retries: 0,
    floodDeadEnds: 0,
    relayQueueDrops: 0,
  };
  private readonly o: ResolvedNodeOptions;
  private readonly decodeOptions: { requireCrc: boolean };
  private readonly router: Router | undefined;
  private readonly payloadSize: number;
  private readonly sequences: SequenceGenerator;
  private readonly table: RouteTable;
  private readonly seen: DuplicateFilter;
  private readonly reassembler: Reassembler;
  private readonly hopSender: ReliableSender<HopMeta>;
  private readonly outputs: Output[] = [];
  private readonly events: NodeEvent[] = [];
  private readonly messages = new Map<number, OutMessage>();
  private readonly messagesByKey = new Map<string, OutMessage>();
  private readonly pings = new Map<number, PendingPing>();
  private readonly scans: ScanCoordinator;
  private readonly conns: ConnectionManager;
  private nextId = 1;
  private closed = false;

  constructor(options: MeshNodeOptions) {
    if (!Number.isInteger(options.address) || options.address < 1 || options.address > 0xffff) {
      throw new InvalidAddressError('node address', options.address);
    }
    this.address = options.address;
    this.mtu = options.mtu;
    this.payloadSize = fragmentPayloadSize(options.mtu);
    this.router = options.router;
    this.o = resolveNodeOptions(options);
    this.decodeOptions = { requireCrc: this.o.requireCrc };
    const port: NodePort = {
      address: this.address,
      payloadSize: this.payloadSize,
      originate: (frame, now) => this.originate(frame, now),
      sendMessage: (dst, type, seq, data, now, connId) =>
        this.sendMessage(dst, type, seq, data, now, connId),
      dropMessagesOf: (connId) => {
        for (const m of [...this.messages.values()]) if (m.connId === connId) this.dropMessage(m);
      },
      nextSequence: () => this.sequences.next(),
      newId: () => this.nextId++,
      neighbours: (now) => this.table.neighbours(now),
      event: (e) => this.events.push(e),
      badResponse: () => this.stats.badResponses++,
    };
    this.scans = new ScanCoordinator(port, this.o);
    this.conns = new ConnectionManager(port, this.o);
    this.sequences = new SequenceGenerator(options.random.fork('sequence'));
    this.table = new RouteTable({ ttlMs: this.o.routeTtlMs });
    this.seen = new DuplicateFilter({
      windowMs: this.o.duplicateWindowMs,
      capacity: this.o.duplicateCapacity,
    });
    this.reassembler = new Reassembler(options.reassembly);
    this.hopSender = new ReliableSender<HopMeta>({
      random: options.random.fork('jitter'),
      maxAttempts: this.o.maxAttempts,
      ackTimeoutMs: this.o.ackTimeoutMs,
      maxBackoffMs: this.o.maxBackoffMs,
      jitterMs: this.o.jitterMs,
    });
  }

  /** Largest message `send` accepts on this medium. */
  get maxMessageSize(): number {
    return this.payloadSize * 255;
  }

  /** Neighbours heard within the route TTL. */
  neighbours(now: number): number[] {
    return this.table.neighbours(now);
  }

  /** Bytes held for incomplete incoming messages (bounded by the reassembly options). */
  get reassemblyBytes(): number {
    return this.reassembler.bytesHeld;
  }

  takeOutputs(): Output[] {
    return this.outputs.splice(0);
  }

  takeEvents(): NodeEvent[] {
    return this.events.splice(0);
  }

  /** When `tick` next has work: a retry, a timeout or a scan step. */
  nextDeadline(): number | undefined {
    let d = this.hopSender.nextDeadline();
    const consider = (t: number | undefined): void => {
      if (t !== undefined && (d === undefined || t < d)) d = t;
    };
    consider(this.reassembler.nextDeadline());
    for (const m of this.messages.values()) consider(m.deadline);
    for (const p of this.pings.values()) consider(p.deadline);
    consider(this.scans.nextDeadline());
    return d;
  }

  // ---- user operations -------------------------------------------------------------------

  /** Sends a PING; a `pong` or `ping-timeout` event with the returned id follows. dst 0 asks everyone in reach. */
  ping(dst: number, now: number, data: Uint8Array = new Uint8Array(0)): number {
    this.checkOpen();
    checkAddress('ping destination', dst, true);
    const id = this.nextId++;
    const sequence = this.sequences.next();
    this.pings.set(id, { id, dst, sequence, sentAt: now, deadline: now + this.o.pingTimeoutMs });
    this.originate({ ...emptyFrame(), dst, type: PacketType.Ping, sequence, data }, now);
    return id;
  }

  /** Sends a message, fragmented as needed; `delivered`, `unreachable` or `receipt-timeout` follows. */
  send(dst: number, data: Uint8Array, now: number): number {
    this.checkOpen();
    checkAddress('destination', dst, false);
    return this.sendMessage(dst, PacketType.Data, this.sequences.next(), data, now, undefined);
  }

  /** Scans `depth` levels; a `scan-result` event with the returned id follows. */
  scan(depth: number, now: number): number {
    this.checkOpen();
    return this.scans.start(depth, now);
  }

  /** Opens a connection; `connection-open` or `connection-error` with the returned id follows. */
  connect(dst: number, now: number): number {
    this.checkOpen();
    checkAddress('destination', dst, false);
    return this.conns.connect(dst, now);
  }

  /** Queues bytes on a connection; they arrive in order, exactly once. */
  write(connId: number, data: Uint8Array, now: number): void {
    this.conns.write(connId, data, now);
  }

  /** Ends this side of a connection after the queued bytes (FIN). */
  end(connId: number, now: number): void {
    this.conns.end(connId, now);
  }

  /** Bytes written on a connection and not yet sent. */
  queuedBytes(connId: number): number {
    return this.conns.queuedBytes(connId);
  }

  /** Stops the node: pending work is dropped, no more frames are produced. */
  close(): void {
    this.closed = true;
    this.hopSender.cancelWhere(() => true);
    this.messages.clear();
    this.messagesByKey.clear();
    this.pings.clear();
    this.scans.clear();
    this.conns.clear();
  }

  // ---- input -----------------------------------------------------------------------------

  /** Handles one frame received from link peer `from`. Bad frames are counted, never thrown. */
  receive(bytes: Uint8Array, from: LinkPeer, now: number): void {
    if (this.closed) return;
    this.stats.framesIn++;
    const f = tryDecodeFrame(bytes, this.decodeOptions);
    if (typeof f === 'string') {
      this.stats.rejected[f] = (this.stats.rejected[f] ?? 0) + 1;
      return;
    }
    // Our own frame coming back from a flood.
    if (f.src === this.address) return;
    const transmitter = f.hop === 0 || f.hop === f.dst ? f.src : f.hop;
    if (transmitter === this.address) return;
    this.table.heard({ transmitter, linkPeer: from, src: f.src, hops: f.hops }, now);

    if (f.type === PacketType.Ack) {
      if (f.dst === this.address) this.onAck(f);
      return;
    }
    const forMe = f.dst === this.address || f.dst === 0;
    const reliable = RELIABLE.has(f.type);
    if (reliable && f.dst === 0) return;
    const firstFrom = this.seen.check(frameKey(f), transmitter, now);
    if (firstFrom !== undefined) {
      this.stats.duplicates++;
      // The transmitter missed our ACK (or our pong): answer again, but do nothing twice.
      if (reliable && firstFrom === transmitter) this.sendAck(f, transmitter, from);
      if (forMe && f.type === PacketType.Ping) this.answerPing(f, now);
      return;
    }
    if (forMe) {
      if (reliable) this.sendAck(f, transmitter, from);
      this.deliver(f, now);
      return;
    }
    this.relay(f, transmitter, from, now);
  }

  /** Runs retries and timeouts due at `now`. */
  tick(now: number): void {
    if (this.closed) return;
    for (const d of this.hopSender.due(now)) {
      if (d.kind === 'retry') {
        this.stats.retries++;
        this.emit(d.bytes, d.pending.to);
      } else {
        this.hopGaveUp(d.pending.meta, now);
      }
    }
    this.reassembler.expire(now);
    for (const p of this.pings.values()) {
      if (p.deadline > now) continue;
      this.pings.delete(p.id);
      // A broadcast ping ends quietly: its pongs were the answer.
      this.events.push({
        kind: 'ping-timeout',
        at: now,
        id: p.id,
        dst: p.dst,
        timeoutMs: this.o.pingTimeoutMs,
      });
    }
    for (const m of this.messages.values()) {
      if (m.deadline <= now) this.receiptTimedOut(m, now);
    }
    this.scans.tick(now);
  }

  // ---- forwarding ------------------------------------------------------------------------

  private nextHopFor(dst: number, now: number): { to: LinkPeer; via: number } | undefined {
    if (dst === 0) return undefined;
    const routed = this.router?.nextHop(dst);
    if (routed !== undefined) {
      const to = this.table.linkPeer(routed, now);
      if (to !== undefined) return { to, via: routed };
    }
    const via = this.table.nextHop(dst, now);
    if (via === undefined) return undefined;
    const to = this.table.linkPeer(via, now);
    return to === undefined ? undefined : { to, via };
  }

  /** Sends a frame this node creates, reliably when its type calls for it. */
  private originate(frame: Frame, now: number, msgId?: number): void {
    frame.src = this.address;
    const next = this.nextHopFor(frame.dst, now);
    // Direct to a neighbour: hop = dst forbids relaying; otherwise 0 asks for open relaying.
    frame.hop = next?.via === frame.dst ? frame.dst : 0;
    frame.hops = 0;
    this.transmit(frame, next, now, true, msgId);
  }

  private relay(f: Frame, transmitter: number, from: LinkPeer, now: number): void {
    if (f.hop === f.dst) return; // sent direct to its destination: overheard, not ours to relay
    if (f.hops >= this.o.hopLimit) {
      this.stats.hopLimitDrops++;
      return;
    }
    const reliable = RELIABLE.has(f.type);
    if (reliable) this.sendAck(f, transmitter, from);
    this.stats.relayed++;
    // Built field by field: a decoded frame makes its `data` view lazily, which a spread would
    // not copy, and carries its receive buffer, which the new frame must not.
    const out: Frame = {
      src: f.src,
      dst: f.dst,
      hop: this.address,
      type: f.type,
      sequence: f.sequence,
      response: f.response,
      crc: f.crc,
      fragment: f.fragment,
      fragments: f.fragments,
      attempt: 1,
      hops: f.hops + 1,
      data: f.data,
    };
    // Split horizon: never hand a frame back to the neighbour it came from; flood instead.
    let next = this.nextHopFor(f.dst, now);
    if (next?.via === transmitter) next = undefined;
    this.transmit(out, next, now, false, undefined);
  }

  private transmit(
    frame: Frame,
    next: { to: LinkPeer; via: number } | undefined,
    now: number,
    local: boolean,
    msgId: number | undefined,
  ): void {
    frame.attempt = 1;
    const bytes = encodeFrame(frame);
    if (!RELIABLE.has(frame.type)) {
      this.emit(bytes, next?.to);
      return;
    }
    const key = frameKey(frame);
    if (this.hopSender.has(key)) return;
    // Our own frames always go out; relayed ones only while the retry memory has room.
    if (!local && this.hopSender.size >= this.o.maxPendingFrames) {
      this.stats.relayQueueDrops++;
      return;
    }
    const meta: HopMeta = {
      local,
      msgId,
      src: frame.src,
      dst: frame.dst,
      type: frame.type,
      sequence: frame.sequence,
      flood: next === undefined,
    };
    const first = this.hopSender.add(
      key,
      { bytes, to: next?.to, expectFrom: next?.via, meta },
      now,
    );
    this.emit(first, next?.to);
  }

  private emit(bytes: Uint8Array, to: LinkPeer | undefined): void {
    this.stats.framesOut++;
    this.outputs.push(to === undefined ? { bytes } : { bytes, to });
  }

  private sendAck(f: Frame, transmitter: number, linkPeer: LinkPeer): void {
    this.emit(encodeFrame(ackFor(f, this.address, transmitter)), linkPeer);
  }

  private onAck(ack: Frame): void {
    const key = ackedFrameKey(ack);
    if (key === undefined || !this.hopSender.ack(key, ack.src)) this.stats.badResponses++;
  }

  private hopGaveUp(meta: HopMeta, now: number): void {
    if (!meta.flood) this.table.forget(meta.dst);
    const reason = meta.flood
      ? `no neighbour acknowledged after ${this.o.maxAttempts} attempts`
      : `next hop did not acknowledge after ${this.o.maxAttempts} attempts`;
    if (meta.local) {
      if (meta.msgId !== undefined) this.failMessage(meta.msgId, this.address, reason, now);
      return;
    }
    if (meta.flood) {
      // Another branch of the flood may well have made it: a dead end is not worth a report.
      this.stats.floodDeadEnds++;
      return;
    }
    if (meta.type === PacketType.Unreachable) return;
    const data = new Uint8Array(6);
    data[0] = meta.dst & 0xff;
    data[1] = meta.dst >>> 8;
    data[2] = 0;
    data[3] = 0;
    data[4] = meta.type;
    data[5] = meta.sequence;
    this.originate(
      {
        ...emptyFrame(),
        dst: meta.src,
        type: PacketType.Unreachable,
        sequence: this.sequences.next(),
        data,
      },
      now,
    );
  }

  // ---- local delivery --------------------------------------------------------------------

  private deliver(f: Frame, now: number): void {
    switch (f.type) {
      case PacketType.Ping:
        this.answerPing(f, now);
        return;
      case PacketType.Pong:
        this.onPong(f, now);
        return;
      case PacketType.Scan:
        this.scans.onScan(f, now);
        return;
      case PacketType.Rscan:
        this.scans.onRscan(f);
        return;
      case PacketType.Receipt:
        this.onReceipt(f, now);
        return;
      case PacketType.Unreachable:
        this.onUnreachableReport(f, now);
        return;
      default: {
        const whole = this.reassembler.add(f, now);
        if (whole) this.onMessage(f, whole, now);
      }
    }
  }

  private answerPing(ping: Frame, now: number): void {
    const response = nextSequence(ping.sequence, 1);
    this.originate(
      {
        ...emptyFrame(),
        dst: ping.src,
        type: PacketType.Pong,
        response,
        sequence: nextSequence(response, 2),
        data: ping.data,
      },
      now,
    );
  }

  private onPong(pong: Frame, now: number): void {
    for (const p of this.pings.values()) {
      if (nextSequence(p.sequence, 1) !== pong.response) continue;
      if (p.dst !== 0 && p.dst !== pong.src) continue;
      if (p.dst !== 0) this.pings.delete(p.id);
      this.events.push({
        kind: 'pong',
        at: now,
        id: p.id,
        from: pong.src,
        rttMs: now - p.sentAt,
        hops: pong.hops,
      });
      return;
    }
    this.stats.badResponses++;
  }

  private onMessage(f: Frame, data: Uint8Array, now: number): void {
    let receipt = true;
    switch (f.type) {
      case PacketType.Data:
        this.events.push({ kind: 'message', at: now, from: f.src, data, hops: f.hops });
        break;
      case PacketType.Syn:
        receipt = this.conns.onSyn(f, now);
        break;
      default:
        receipt = this.conns.onMessage(f, data, now);
    }
    if (!receipt) return;
    this.originate(
      {
        ...emptyFrame(),
        dst: f.src,
        type: PacketType.Receipt,
        sequence: this.sequences.next(),
        response: nextSequence(f.sequence, f.fragments),
        data: Uint8Array.of(f.type, f.sequence, f.fragments),
      },
      now,
    );
  }

  private sendMessage(
    dst: number,
    type: number,
    sequence: number,
    data: Uint8Array,
    now: number,
    connId: number | undefined,
  ): number {
    if (this.messages.size >= this.o.maxPendingMessages) {
      throw new SendQueueFullError(this.o.maxPendingMessages);
    }
    const parts = fragmentPayloads(data, this.mtu);
    const id = this.nextId++;
    const m: OutMessage = {
      id,
      dst,
      type,
      sequence,
      fragments: parts.length,
      deadline: now + this.o.receiptTimeoutMs,
      connId,
    };
    const key = `${dst}:${type}:${sequence}`;
    const stale = this.messagesByKey.get(key);
    if (stale) this.dropMessage(stale);
    this.messages.set(id, m);
    this.messagesByKey.set(key, m);
    parts.forEach((part, i) => {
      this.originate(
        {
          ...emptyFrame(),
          dst,
          type,
          sequence,
          fragment: i + 1,
          fragments: parts.length,
          data: part,
        },
        now,
        id,
      );
    });
    return id;
  }

  private dropMessage(m: OutMessage): void {
    this.messages.delete(m.id);
    this.messagesByKey.delete(`${m.dst}:${m.type}:${m.sequence}`);
    this.hopSender.cancelWhere((meta) => meta.local && meta.msgId === m.id);
  }

  private onReceipt(r: Frame, now: number): void {
    const d = r.data;
    if (d.length < 3) {
      this.stats.badResponses++;
      return;
    }
    const m = this.messagesByKey.get(`${r.src}:${d[0]!}:${d[1]!}`);
    if (!m || m.fragments !== d[2]! || nextSequence(m.sequence, m.fragments) !== r.response) {
      this.stats.badResponses++;
      return;
    }
    this.dropMessage(m);
    if (m.connId === undefined) {
      this.events.push({ kind: 'delivered', at: now, id: m.id, dst: m.dst });
      return;
    }
    this.conns.onReceipt(m.connId, m.id, now);
  }

  private onUnreachableReport(f: Frame, now: number): void {
    const d = f.data;
    if (d.length < 6) {
      this.stats.badResponses++;
      return;
    }
    const dst = d[0]! | (d[1]! << 8);
    this.table.forget(dst);
    const m = this.messagesByKey.get(`${dst}:${d[4]!}:${d[5]!}`);
    const reason = `relay ${f.src} could not reach its next hop`;
    if (m) this.failMessage(m.id, f.src, reason, now);
    else
      this.events.push({
        kind: 'unreachable',
        at: now,
        id: undefined,
        dst,
        reporter: f.src,
        reason,
      });
  }

  private failMessage(id: number, reporter: number, reason: string, now: number): void {
    const m = this.messages.get(id);
    if (!m) return;
    this.dropMessage(m);
    this.events.push({ kind: 'unreachable', at: now, id, dst: m.dst, reporter, reason });
    if (m.connId !== undefined) this.conns.onUnreachable(m.connId, reason, now);
  }

  private receiptTimedOut(m: OutMessage, now: number): void {
    this.dropMessage(m);
    if (m.connId === undefined) {
      // The first hop took every fragment but the destination never confirmed: a give-up too.
      this.events.push({
        kind: 'unreachable',
        at: now,
        id: undefined,
        dst: m.dst,
        reporter: this.address,
        reason: `no receipt within ${this.o.receiptTimeoutMs} ms`,
      });
      this.events.push({
        kind: 'receipt-timeout',
        at: now,
        id: m.id,
        dst: m.dst,
        timeoutMs: this.o.receiptTimeoutMs,
      });
    } else {
      this.conns.onReceiptTimeout(m.connId, now);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError(`node ${this.address} is closed`);
  }
}

function checkAddress(what: string, value: number, allowBroadcast: boolean): void {
  if (!Number.isInteger(value) || value < (allowBroadcast ? 0 : 1) || value > 0xffff) {
    throw new InvalidAddressError(what, value);
  }
}
