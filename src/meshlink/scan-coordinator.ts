/**
 * The scans a node runs, sans-IO: its own (a ScanSession level by level) and the local probes it
 * runs when another node asks (a directed SCAN with flag 1), answered with one RSCAN per
 * fragment of the neighbour list. See scan.ts for the protocol.
 *
 * @example
 * const scans = new ScanCoordinator(port, { scanWindowMs: 200, pingTimeoutMs: 1000, maxRemoteProbes: 8 });
 * const id = scans.start(2, now); // later a 'scan-result' event with this id
 */
import { emptyFrame, type Frame } from './frame-codec.ts';
import type { NodePort } from './node-port.ts';
import { PacketType } from './packet-type.ts';
import { ScanSession, decodeAddressList, encodeAddressList } from './scan.ts';
import { nextSequence } from './sequence.ts';

export interface ScanCoordinatorOptions {
  scanWindowMs: number;
  pingTimeoutMs: number;
  maxRemoteProbes: number;
}

interface Probe {
  session: ScanSession | undefined;
  /** For a user scan: 0 for the local probe, else the node asked. */
  target: number;
  /** For a probe run on behalf of another node: who asked, and its SCAN's sequence. */
  requester: number;
  requestSequence: number;
  responders: Set<number>;
  deadline: number;
  /** Copies of this SCAN sent before, after getting no answer. */
  retries: number;
  /** Answered or retried already (a probe sits under two keys when sent twice). */
  settled: boolean;
}

/** A scan asks an unanswering node (or its own neighbourhood) up to this many times more. */
const SCAN_RETRIES = 3;

export class ScanCoordinator {
  // Keyed by the response an answer must carry: nextSequence(our SCAN's sequence, 1).
  private readonly probes = new Map<number, Probe>();
  private readonly sessions = new Map<number, ScanSession>();

  constructor(
    private readonly port: NodePort,
    private readonly o: ScanCoordinatorOptions,
  ) {}

  start(depth: number, now: number): number {
    const id = this.port.newId();
    const session = new ScanSession(id, this.port.address, Math.max(1, Math.min(depth, 16)));
    session.deadline = now + this.o.scanWindowMs;
    this.sessions.set(id, session);
    this.probe(session, 0, 0, now);
    return id;
  }

  onScan(f: Frame, now: number): void {
    if (f.dst !== 0 && f.data[0] === 1) {
      // Asked to probe our own surroundings and report back, within a bound on such work.
      let remote = 0;
      for (const p of this.probes.values()) if (!p.session) remote++;
      if (remote >= this.o.maxRemoteProbes) return;
      this.probe(undefined, 0, f.src, now, f.sequence);
      return;
    }
    this.sendRscan(f.src, f.sequence, this.port.neighbours(now), now);
  }

  onRscan(f: Frame): void {
    const p = this.probes.get(f.response);
    if (!p) {
      this.port.badResponse();
      return;
    }
    const heard = decodeAddressList(f.data);
    p.responders.add(f.src);
    if (!p.session) return;
    if (p.target === 0) p.session.reply(f.src, heard, this.port.address);
    else if (f.src === p.target) p.session.reply(f.src, heard);
  }

  tick(now: number): void {
    for (const [key, p] of this.probes) {
      // A scan's own probes are settled level by level in advance().
      if (p.session || p.deadline > now) continue;
      this.probes.delete(key);
      if (p.settled) continue;
      p.settled = true;
      this.answerRemoteProbe(p, now);
    }
    for (const s of this.sessions.values()) if (s.deadline <= now) this.advance(s, now);
  }

  nextDeadline(): number | undefined {
    let d: number | undefined;
    for (const p of this.probes.values()) if (d === undefined || p.deadline < d) d = p.deadline;
    for (const s of this.sessions.values()) if (d === undefined || s.deadline < d) d = s.deadline;
    return d;
  }

  clear(): void {
    this.probes.clear();
    this.sessions.clear();
  }

  /**
   * Sends a SCAN: to 0 for a local probe (flag 0), or to `target` asking it to probe (flag 1).
   * A local probe goes out twice under two sequences: neither the SCAN nor the answers are
   * acknowledged, and one lost broadcast would otherwise hide a neighbour and its whole subtree.
   */
  private probe(
    session: ScanSession | undefined,
    target: number,
    requester: number,
    now: number,
    requestSequence = 0,
    retries = 0,
  ): void {
    const probe: Probe = {
      session,
      target,
      requester,
      requestSequence,
      responders: new Set(),
      deadline: session ? session.deadline : now + this.o.scanWindowMs,
      retries,
      settled: false,
    };
    const data = Uint8Array.of(target === 0 ? 0 : 1);
    for (let copy = target === 0 ? 2 : 1; copy > 0; copy--) {
      const sequence = this.port.nextSequence();
      this.probes.set(nextSequence(sequence, 1), probe);
      this.port.originate(
        { ...emptyFrame(), dst: target, type: PacketType.Scan, sequence, data },
        now,
      );
    }
  }

  private sendRscan(dst: number, requestSequence: number, heard: number[], now: number): void {
    const response = nextSequence(requestSequence, 1);
    const perFrame = Math.floor(this.port.payloadSize / 2);
    const chunks: number[][] = [];
    for (let i = 0; i < heard.length; i += perFrame) chunks.push(heard.slice(i, i + perFrame));
    if (chunks.length === 0) chunks.push([]);
    const n = Math.min(chunks.length, 255);
    for (let i = 0; i < n; i++) {
      this.port.originate(
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

  private answerRemoteProbe(p: Probe, now: number): void {
    const heard = new Set(this.port.neighbours(now));
    for (const r of p.responders) heard.add(r);
    this.sendRscan(
      p.requester,
      p.requestSequence,
      [...heard].sort((a, b) => a - b),
      now,
    );
  }

  private advance(s: ScanSession, now: number): void {
    // SCAN and RSCAN are not acknowledged: ask again, once, whoever stayed silent.
    const silent: Probe[] = [];
    for (const [key, p] of this.probes) {
      if (p.session !== s) continue;
      this.probes.delete(key);
      if (p.settled) continue;
      p.settled = true;
      if (p.responders.size === 0 && p.retries < SCAN_RETRIES) silent.push(p);
    }
    if (silent.length > 0) {
      s.deadline =
        now +
        (s.level === 1 ? this.o.scanWindowMs : this.o.scanWindowMs * 2 + this.o.pingTimeoutMs);
      for (const p of silent) this.probe(s, p.target, 0, now, 0, p.retries + 1);
      return;
    }
    const frontier = s.level < s.depth ? s.takeFrontier() : [];
    if (frontier.length === 0) {
      this.sessions.delete(s.id);
      this.port.event({ kind: 'scan-result', at: now, id: s.id, graph: s.graph() });
      return;
    }
    s.level++;
    // The asked node probes for scanWindowMs, then its answer crosses the mesh.
    s.deadline = now + this.o.scanWindowMs * 2 + this.o.pingTimeoutMs;
    for (const n of frontier) this.probe(s, n, 0, now);
  }
}
