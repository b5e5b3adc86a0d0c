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
import type { Random } from '../core/random.ts';
import { Connection } from './connection.ts';
import { DuplicateFilter, frameKey } from './duplicate-filter.ts';
import { ClosedError } from '../core/errors.ts';
import {
  ConnectionRefusedError,
  InvalidAddressError,
  ReceiptTimeoutError,
  SendQueueFullError,
  UnreachableError,
} from './errors.ts';
import { decodeFrame, emptyFrame, encodeFrame, type Frame } from './frame-codec.ts';
import { fragmentPayloadSize, fragmentPayloads } from './fragmenter.ts';
import type { NodeEvent, NodeStats, Output } from './node-events.ts';
import { PacketType } from './packet-type.ts';
import { Reassembler, type ReassemblerOptions } from './reassembler.ts';
import { ReliableSender } from './reliable-sender.ts';
import { RouteTable } from './route-table.ts';
import { ScanSession, decodeAddressList, encodeAddressList } from './scan.ts';
import { NETWORK_KEY, SequenceGenerator, nextSequence } from './sequence.ts';

/** The routing engine's hook: the neighbour to hand a frame for `dst` to, if it knows one. */
export interface Router {
  nextHop(dst: number): number | undefined;
}

export interface MeshNodeOptions {
  /** This node's mesh address, 1..65535. */
  address: number;
  /** The medium's MTU; fragment payloads are `mtu - 16` bytes (at most 239). */
  mtu: number;
  random: Random;
  router?: Router;
  /** Reject frames without CRC (the seed's crc = 0). @default false */
  requireCrc?: boolean;
  /** Frames that already crossed this many relays are not relayed again. @default 7 */
  hopLimit?: number;
  /** Copies of a frame sent to one next hop before giving up. @default 8 */
  maxAttempts?: number;
  /** First wait for a hop ACK, doubled per attempt. @default 40 */
  ackTimeoutMs?: number;
  /** Cap on the doubled wait. @default 500 */
  maxBackoffMs?: number;
  /** Random extra wait per retry. @default 20 */
  jitterMs?: number;
  /** @default 1000 */
  pingTimeoutMs?: number;
  /** Wait for a message's end-to-end receipt. @default 10000 */
  receiptTimeoutMs?: number;
  /** How long a local scan probe collects answers. @default 200 */
  scanWindowMs?: number;
  /** Forget neighbours and return paths after this long unheard. @default 60000 */
  routeTtlMs?: number;
  /** Duplicate memory; must be shorter than `receiptTimeoutMs`. @default 3000 */
  duplicateWindowMs?: number;
  /** @default 4096 */
  duplicateCapacity?: number;
  reassembly?: ReassemblerOptions;
  /** Accept incoming connections. @default true */
  acceptConnections?: boolean;
  /** Messages awaiting a receipt at once. @default 64 */
  maxPendingMessages?: number;
  /** A connection gives up after this many receipt timeouts on one chunk. @default 3 */
  connectionResends?: number;
}

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

interface ScanProbe {
  session: ScanSession | undefined;
  /** For a user scan: 0 for the local probe, else the node asked. */
  target: number;
  /** For a probe run on behalf of another node: who asked, and its SCAN's sequence. */
  requester: number;
  requestSequence: number;
  responders: Set<number>;
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

const ACK_DATA_SIZE = 7;

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
  };
  private readonly o: Required<
    Omit<MeshNodeOptions, 'router' | 'reassembly' | 'random' | 'address' | 'mtu'>
  >;
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
  private readonly probes = new Map<number, ScanProbe>();
  private readonly scans = new Map<number, ScanSession>();
  private readonly connections = new Map<number, Connection>();
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
    this.o = {
      requireCrc: options.requireCrc ?? false,
      hopLimit: options.hopLimit ?? 7,
      maxAttempts: options.maxAttempts ?? 8,
      ackTimeoutMs: options.ackTimeoutMs ?? 40,
      maxBackoffMs: options.maxBackoffMs ?? 500,
      jitterMs: options.jitterMs ?? 20,
      pingTimeoutMs: options.pingTimeoutMs ?? 1000,
      receiptTimeoutMs: options.receiptTimeoutMs ?? 10_000,
      scanWindowMs: options.scanWindowMs ?? 200,
      routeTtlMs: options.routeTtlMs ?? 60_000,
      duplicateWindowMs: options.duplicateWindowMs ?? 3000,
      duplicateCapacity: options.duplicateCapacity ?? 4096,
      acceptConnections: options.acceptConnections ?? true,
      maxPendingMessages: options.maxPendingMessages ?? 64,
      connectionResends: options.connectionResends ?? 3,
    };
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
    for (const p of this.probes.values()) consider(p.deadline);
    for (const s of this.scans.values()) consider(s.deadline);
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
    const id = this.nextId++;
    const session = new ScanSession(id, this.address, Math.max(1, Math.min(depth, 16)));
    session.deadline = now + this.o.scanWindowMs;
    this.scans.set(id, session);
    this.probe(session, 0, 0, now);
    return id;
  }

  /** Opens a connection; `connection-open` or `connection-error` with the returned id follows. */
  connect(dst: number, now: number): number {
    this.checkOpen();
    checkAddress('destination', dst, false);
    const s0 = this.sequences.next();
    const conn = new Connection({ id: this.nextId++, peer: dst, s0, role: 'initiator' });
    this.connections.set(conn.id, conn);
    conn.inFlightMsg = this.sendMessage(dst, PacketType.Syn, s0, new Uint8Array(0), now, conn.id);
    return conn.id;
  }

  /** Queues bytes on a connection; they arrive in order, exactly once. */
  write(connId: number, data: Uint8Array, now: number): void {
    const conn = this.connection(connId);
    conn.write(data);
    this.pump(conn, now);
  }

  /** Ends this side of a connection after the queued bytes (FIN). */
  end(connId: number, now: number): void {
    const conn = this.connection(connId);
    conn.end();
    this.pump(conn, now);
  }

  /** Bytes written on a connection and not yet sent. */
  queuedBytes(connId: number): number {
    return this.connections.get(connId)?.bytesQueued ?? 0;
  }

  /** Stops the node: pending work is dropped, no more frames are produced. */
  close(): void {
    this.closed = true;
    this.hopSender.cancelWhere(() => true);
    this.messages.clear();
    this.messagesByKey.clear();
    this.pings.clear();
    this.probes.clear();
    this.scans.clear();
    this.connections.clear();
  }

  // ---- input -----------------------------------------------------------------------------

  /** Handles one frame received from link peer `from`. Bad frames are counted, never thrown. */
  receive(bytes: Uint8Array, from: LinkPeer, now: number): void {
    if (this.closed) return;
    this.stats.framesIn++;
    let f: Frame;
    try {
      f = decodeFrame(bytes, { requireCrc: this.o.requireCrc });
    } catch (err) {
      const name = err instanceof Error ? err.name : 'UnknownError';
      this.stats.rejected[name] = (this.stats.rejected[name] ?? 0) + 1;
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
      this.events.push({ kind: 'ping-timeout', at: now, id: p.id, dst: p.dst });
    }
    for (const m of this.messages.values()) {
      if (m.deadline <= now) this.receiptTimedOut(m, now);
    }
    for (const [key, p] of this.probes) {
      if (p.deadline > now) continue;
      this.probes.delete(key);
      if (!p.session) this.answerRemoteProbe(p, now);
    }
    for (const s of this.scans.values()) {
      if (s.deadline <= now) this.advanceScan(s, now);
    }
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
    const out: Frame = { ...f, hop: this.address, hops: f.hops + 1, attempt: 1 };
    this.transmit(out, this.nextHopFor(f.dst, now), now, false, undefined);
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
    const data = new Uint8Array(ACK_DATA_SIZE);
    data[0] = f.src & 0xff;
    data[1] = f.src >>> 8;
    data[2] = f.dst & 0xff;
    data[3] = f.dst >>> 8;
    data[4] = f.type;
    data[5] = f.crc & 0xff;
    data[6] = f.crc >>> 8;
    const response = nextSequence(f.sequence, f.fragment);
    const ack: Frame = {
      src: this.address,
      dst: transmitter,
      hop: transmitter,
      type: PacketType.Ack,
      sequence: nextSequence(response, 2),
      response,
      crc: 0,
      fragment: f.fragment,
      fragments: f.fragments,
      attempt: f.attempt,
      hops: 0,
      data,
    };
    this.emit(encodeFrame(ack), linkPeer);
  }

  private onAck(ack: Frame): void {
    const d = ack.data;
    if (d.length < ACK_DATA_SIZE) {
      this.stats.badResponses++;
      return;
    }
    // The ACK's response is nextSequence(sequence, fragment); invert it to name the frame.
    const sequence = (((ack.response ^ NETWORK_KEY) - ack.fragment) & 0xff) >>> 0;
    const key = `${d[0]! | (d[1]! << 8)}:${d[2]! | (d[3]! << 8)}:${d[4]!}:${sequence}:${ack.fragment}:${d[5]! | (d[6]! << 8)}`;
    if (!this.hopSender.ack(key, ack.src)) this.stats.badResponses++;
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
        this.onScan(f, now);
        return;
      case PacketType.Rscan:
        this.onRscan(f);
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
        receipt = this.onSyn(f, now);
        break;
      default:
        receipt = this.onConnectionMessage(f, data, now);
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
    const conn = this.connections.get(m.connId);
    if (!conn || conn.inFlightMsg !== m.id) return;
    if (conn.state === 'connecting') {
      conn.state = 'open';
      conn.inFlightMsg = undefined;
      this.events.push({ kind: 'connection-open', at: now, id: conn.id, peer: conn.peer });
    } else {
      conn.delivered();
    }
    this.pump(conn, now);
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
    if (m.connId !== undefined) {
      this.failConnection(m.connId, new UnreachableError(m.dst, reason), now);
    }
  }

  private receiptTimedOut(m: OutMessage, now: number): void {
    this.dropMessage(m);
    const conn = m.connId === undefined ? undefined : this.connections.get(m.connId);
    if (!conn) {
      this.events.push({ kind: 'receipt-timeout', at: now, id: m.id, dst: m.dst });
      return;
    }
    if (conn.resends >= this.o.connectionResends) {
      this.failConnection(conn.id, new ReceiptTimeoutError(m.dst, this.o.receiptTimeoutMs), now);
      return;
    }
    conn.resends++;
    // The duplicate memory has expired by now, so the copy is not mistaken for a replay.
    if (conn.state === 'connecting') {
      conn.inFlightMsg = this.sendMessage(
        m.dst,
        PacketType.Syn,
        conn.s0,
        new Uint8Array(0),
        now,
        conn.id,
      );
      return;
    }
    const chunk = conn.pendingChunk;
    if (!chunk) return;
    const type = chunk.fin ? PacketType.Fin : conn.sendType;
    conn.inFlightMsg = this.sendMessage(m.dst, type, chunk.sequence, chunk.data, now, conn.id);
  }

  // ---- connections -----------------------------------------------------------------------

  private onSyn(f: Frame, now: number): boolean {
    for (const c of this.connections.values()) {
      if (c.peer === f.src && c.s0 === f.sequence && c.role === 'acceptor') return true;
    }
    if (!this.o.acceptConnections) {
      // Refusal: a FIN carrying the SYN's own sequence.
      this.sendMessage(f.src, PacketType.Fin, f.sequence, new Uint8Array(0), now, undefined);
      return false;
    }
    const conn = new Connection({
      id: this.nextId++,
      peer: f.src,
      s0: f.sequence,
      role: 'acceptor',
    });
    this.connections.set(conn.id, conn);
    this.events.push({ kind: 'connection', at: now, id: conn.id, peer: conn.peer });
    return true;
  }

  private onConnectionMessage(f: Frame, data: Uint8Array, now: number): boolean {
    for (const c of this.connections.values()) {
      if (c.peer !== f.src) continue;
      if (c.state === 'connecting' && f.type === PacketType.Fin && f.sequence === c.s0) {
        this.failConnection(c.id, new ConnectionRefusedError(c.peer), now);
        return true;
      }
      if (c.state !== 'open' || !c.matches(f.sequence)) continue;
      const what = c.incoming(f.type, f.sequence);
      if (what === 'deliver') {
        this.events.push({ kind: 'connection-data', at: now, id: c.id, data });
      } else if (what === 'fin') {
        this.events.push({ kind: 'connection-end', at: now, id: c.id });
        this.finishIfDone(c, now);
      } else if (what === 'unexpected') {
        continue;
      }
      return true;
    }
    return false;
  }

  private pump(conn: Connection, now: number): void {
    if (conn.state !== 'open' || conn.inFlightMsg !== undefined) return;
    const chunk = conn.nextChunk(this.payloadSize * 4);
    if (!chunk) {
      this.finishIfDone(conn, now);
      return;
    }
    const type = chunk.fin ? PacketType.Fin : conn.sendType;
    conn.inFlightMsg = this.sendMessage(conn.peer, type, chunk.sequence, chunk.data, now, conn.id);
  }

  private finishIfDone(conn: Connection, now: number): void {
    if (!conn.finished) return;
    conn.state = 'closed';
    this.connections.delete(conn.id);
    this.events.push({ kind: 'connection-closed', at: now, id: conn.id });
  }

  private failConnection(
    id: number,
    error: UnreachableError | ConnectionRefusedError | ReceiptTimeoutError,
    now: number,
  ): void {
    const conn = this.connections.get(id);
    if (!conn) return;
    conn.state = 'closed';
    this.connections.delete(id);
    for (const m of [...this.messages.values()]) if (m.connId === id) this.dropMessage(m);
    this.events.push({ kind: 'connection-error', at: now, id, error });
  }

  private connection(id: number): Connection {
    const conn = this.connections.get(id);
    if (!conn || conn.state === 'closed') throw new ClosedError(`connection ${id} is not open`);
    return conn;
  }

  // ---- scans -----------------------------------------------------------------------------

  /** Sends a SCAN: to 0 for a local probe (flag 0), or to `target` asking it to probe (flag 1). */
  private probe(
    session: ScanSession | undefined,
    target: number,
    requester: number,
    now: number,
    requestSequence = 0,
  ): void {
    const sequence = this.sequences.next();
    this.probes.set(nextSequence(sequence, 1), {
      session,
      target,
      requester,
      requestSequence,
      responders: new Set(),
      deadline: session ? session.deadline : now + this.o.scanWindowMs,
    });
    this.originate(
      {
        ...emptyFrame(),
        dst: target,
        type: PacketType.Scan,
        sequence,
        data: Uint8Array.of(target === 0 ? 0 : 1),
      },
      now,
    );
  }

  private onScan(f: Frame, now: number): void {
    if (f.dst !== 0 && f.data[0] === 1) {
      // Asked to probe our own surroundings and report back.
      this.probe(undefined, 0, f.src, now, f.sequence);
      return;
    }
    this.sendRscan(f.src, f.sequence, this.table.neighbours(now), now);
  }

  private sendRscan(dst: number, requestSequence: number, heard: number[], now: number): void {
    const response = nextSequence(requestSequence, 1);
    const perFrame = Math.floor(this.payloadSize / 2);
    const chunks: number[][] = [];
    for (let i = 0; i < heard.length; i += perFrame) chunks.push(heard.slice(i, i + perFrame));
    if (chunks.length === 0) chunks.push([]);
    const n = Math.min(chunks.length, 255);
    for (let i = 0; i < n; i++) {
      this.originate(
        {
          ...emptyFrame(),
          dst,
          type: PacketType.Rscan,
          response,
          sequence: nextSequence(response, 2),
          fragment: i + 1,
          fragments: n,
          data: encodeAddressList(chunks[i]!),
        },
        now,
      );
    }
  }

  private onRscan(f: Frame): void {
    const p = this.probes.get(f.response);
    if (!p) {
      this.stats.badResponses++;
      return;
    }
    const heard = decodeAddressList(f.data);
    p.responders.add(f.src);
    if (!p.session) return;
    if (p.target === 0) p.session.reply(f.src, heard, this.address);
    else if (f.src === p.target) p.session.reply(f.src, heard);
  }

  private answerRemoteProbe(p: ScanProbe, now: number): void {
    const heard = new Set(this.table.neighbours(now));
    for (const r of p.responders) heard.add(r);
    this.sendRscan(
      p.requester,
      p.requestSequence,
      [...heard].sort((a, b) => a - b),
      now,
    );
  }

  private advanceScan(s: ScanSession, now: number): void {
    for (const [key, p] of this.probes) if (p.session === s) this.probes.delete(key);
    const frontier = s.level < s.depth ? s.takeFrontier() : [];
    if (frontier.length === 0) {
      this.scans.delete(s.id);
      this.events.push({ kind: 'scan-result', at: now, id: s.id, graph: s.graph() });
      return;
    }
    s.level++;
    // The asked node probes for scanWindowMs, then its answer crosses the mesh.
    s.deadline = now + this.o.scanWindowMs * 2 + this.o.pingTimeoutMs;
    for (const n of frontier) this.probe(s, n, 0, now);
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
