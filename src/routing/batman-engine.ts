/**
 * The B.A.T.M.A.N. IV originator engine, sans-IO: frames and time go in, frames to broadcast
 * and route-change events come out. No timers, sockets or wall clock: the host calls `tick(now)`
 * at `nextDeadline()` and hands every received OGM frame to `receive`.
 *
 * What follows batman-adv (bat_iv_ogm.c), restated: originators flood OGMs every interval with
 * jitter; each hop rates the OGM by its local link quality to the sender (echo and receive
 * counts in a 64-wide window, asymmetry penalty) and re-broadcasts it with a hop penalty, but
 * only when it came from its own best next hop towards the originator (or straight from the
 * originator, flagged DIRECTLINK so the originator can count echoes). Each neighbour's route
 * quality is the average of the last 5 non-zero TQs in a ring; every new sequence number first
 * heard through another neighbour pushes a 0 into the others' rings. A forwarded OGM joins a
 * frame leaving within `aggregationMs`, or starts one held back that long for others to join.
 *
 * What we add for fast, loop-safe convergence (each documented and switchable on its option in
 * batman-options.ts; PLAIN_BATMAN_IV switches them all off): routerMissLimit (leave a relay
 * that stopped relaying), neighbourLossFactor (leave a neighbour that fell silent and owes an OGM),
 * recheckForwards (no stale forwards from the aggregation queue), originatorSilenceMs (withdraw
 * routes to a silent originator; accept its reboot at once), clearStaleTq, scaleYoungWindows
 * and fastStartOgms (a rebooted node's links usable within about a second).
 *
 * @example
 * const engine = new BatmanEngine({ address: 1, random: seededRandom(1) });
 * const out = engine.tick(engine.nextDeadline());
 * out.frames[0]?.bytes; // our first OGM, to broadcast
 * engine.nextHop(7); // undefined until OGMs from 7 arrive
 */
import type { MeshEvent } from '../core/events.ts';
import { addressToMac } from './address.ts';
import { RoutingOptionError, TranslationTableOffError } from './errors.ts';
import {
  type BatmanOptions,
  type ResolvedBatmanOptions,
  resolveBatmanOptions,
} from './batman-options.ts';
import { bestGateway, type GatewayCandidate, shouldSwitch } from './gateway-selection.ts';
import {
  encodeOgmFrame,
  FLAG_DIRECTLINK,
  GATEWAY_BLOCK_BYTES,
  nextOgmOffset,
  OGM_HEADER_BYTES,
  type Ogm,
  ogmOriginatorAt,
  ogmSize,
  readOgm,
  validateOgmFrame,
} from './ogm-codec.ts';
import { CandidateTable } from './candidate.ts';
import { NO_ROUTER, type OriginatorRecords } from './originator-record.ts';
import { OriginatorState } from './originator-state.ts';
import { ExpiryWheel } from './expiry-wheel.ts';
import { SeqWindow, WINDOW_SIZE } from './seq-window.ts';
import { asymmetryPenalty, combinedTq, hopPenalty, localTq, TQ_MAX } from './tq.ts';
import type {
  GatewayJson,
  GlobalClientJson,
  LocalClientJson,
  NeighbourJson,
  OriginatorJson,
} from './tables.ts';
import { checkMac, MAX_VID } from './translation-table/client-mac.ts';
import type { TtBlock } from './translation-table/tt-block.ts';
import { ttFlagsJson } from './translation-table/tt-flags.ts';
import {
  decodeTtMessage,
  encodeTtMessage,
  TT_PACKET_TYPE,
  type TtMessage,
  ttMessageDst,
  withTtMessageTtl,
} from './translation-table/tt-unicast-codec.ts';
import { TranslationTable } from './translation-table/translation-table.ts';

/** Sequence numbers `recentLoss` looks back over: about 8 s at the default interval. */
export const RECENT_LOSS_SLOTS = 8;
/** Weight of the newest gap in a neighbour's moving average of gaps between frames. */
const GAP_AVG_WEIGHT = 8;
/**
 * A neighbour's longest recent gap decays by 1/64 per frame: with ~10 frames an interval it
 * still remembers the one long pause of the last interval at about 85 %.
 */
const GAP_MAX_DECAY = 64;
/** A silence must be this many times the neighbour's usual longest pause to count as a loss. */
const PAUSE_SLACK = 1.5;
/**
 * Transit allowance for a neighbour's regular OGMs (lossAt), in originator intervals, on top of
 * their jitter: a frame may wait for the air or for its host's timer.
 */
const OGM_TRANSIT_SLACK = 0.05;
/** Gaps to observe before a neighbour's silence is judged against its own rhythm. */
const MIN_GAP_SAMPLES = 8;
/** Originator intervals a neighbour must have been heard for before its rhythm is trusted. */
const SETTLE_INTERVALS = 5;
/** Sequence numbers further ahead than this are treated as a reboot, not as progress. */
const EXPECTED_SEQNO_RANGE = 65_536;

export interface OutgoingFrame {
  iface: string;
  bytes: Uint8Array;
  /**
   * Link neighbour to send to (a unicast TT message on its way to an originator); absent for
   * the broadcast OGM frames.
   */
  to?: number;
}

export interface EngineOutput {
  frames: OutgoingFrame[];
  events: MeshEvent[];
}

export interface EngineStats {
  framesSent: number;
  bytesSent: number;
  ogmsReceived: number;
  malformedFrames: number;
  /** TT messages we could not send or forward: no route to their destination, or TTL spent. */
  ttUndeliverable: number;
  /** Route-change events: every time the next hop towards an originator moved or was withdrawn. */
  routeChanges: number;
}

interface NeighbourState {
  address: number;
  /** Its column in the candidate table (handed back when it is purged). */
  slot: number;
  lastSeen: number;
  /** When we started to hear it (again, after a long silence). */
  since: number;
  /** Moving average of the gaps between its frames, ms (0 until the second frame). */
  gapAvg: number;
  /** Longest recent gap, ms, decaying by 1/GAP_MAX_DECAY per frame (its usual longest pause). */
  gapMax: number;
  gapSamples: number;
  /** When its own latest OGM reached us directly (`since` before the first). */
  ownAt: number;
  /**
   * The originators whose own OGMs it relays as their direct neighbour (us included), and when
   * its latest such copy of each reached us: it relays every one of them every interval.
   */
  relayOf: number[];
  relayAt: number[];
  /** Which of our own last 64 OGMs this neighbour echoed back to us (bit 0 = newest sent). */
  echo: SeqWindow;
  /**
   * holdEarlyOgms: the newest copy per originator it relayed while we had no route to it yet
   * (its link not confirmed both ways), for originators we had no route to either, and when
   * each came; undefined when none.
   */
  held: Map<number, { ogm: Ogm; at: number }> | undefined;
}

interface PendingFrame {
  sendAt: number;
  own: boolean;
  ogms: Ogm[];
  size: number;
}

type DupStatus = 'new' | 'orig-dup' | 'neigh-dup' | 'protected';

export class BatmanEngine {
  readonly options: ResolvedBatmanOptions;
  readonly stats: EngineStats = {
    framesSent: 0,
    bytesSent: 0,
    ogmsReceived: 0,
    malformedFrames: 0,
    ttUndeliverable: 0,
    routeChanges: 0,
  };
  /** Present when the translationTable option is on. */
  private readonly tt: TranslationTable | undefined;
  private readonly neighbours = new Map<number, NeighbourState>();
  private readonly originators = new Map<number, OriginatorState>();
  /** Same entries as the map, indexed by address: the hot path's lookups. */
  private readonly neighbourAt: Array<NeighbourState | undefined> = [];
  /** Originator row by address (-1: unknown), and the originator of each row. */
  private rows = new Int32Array(64).fill(-1);
  private readonly byRow: Array<OriginatorState | undefined> = [];
  /**
   * By row: our forward of the originator's last forwarded sequence number while it waits in a
   * pending frame (recheckForwards); beside the object so checking it needs no object.
   */
  private readonly queuedAt: Array<Ogm | undefined> = [];
  /** Every (originator, neighbour) candidate, in flat arrays (candidate.ts). */
  private readonly table: CandidateTable;
  /** Each originator row's route state, read by every copy (the table's own records). */
  private readonly records: OriginatorRecords;
  /** Neighbour slot by address, and address by slot (a slot is reused after a purge). */
  private readonly slotAt: Array<number | undefined> = [];
  private readonly slotAddress: number[] = [];
  /**
   * 1 where the slot's neighbour is declared lost (isLost): silent for many usual gaps, and an
   * OGM it sends every interval overdue. By slot, not on the neighbour's object, so eligible(),
   * run for most copies, reads a byte beside the others.
   */
  private slotLost = new Uint8Array(16);
  private slots = 0;
  private readonly freeSlots: number[] = [];
  private pending: PendingFrame[] = [];
  /** Originators filed by when they may next need purging (candidate expiry, silence). */
  private readonly purgeWheel: ExpiryWheel<OriginatorState>;
  private purgePasses = 0;
  private readonly wheelOut: OriginatorState[] = [];
  private originatorsMade = 0;
  private seqno: number;
  private nextPurgeAt: number;
  /** Own OGMs still to send at the fast-start interval. */
  private fastOgmsLeft = 0;
  /** No neighbour can be declared lost before this time. */
  private nextLossCheckAt = Number.POSITIVE_INFINITY;
  private selectedGw: number | undefined;
  private frames: OutgoingFrame[] = [];
  private events: MeshEvent[] = [];
  private readonly nameOf: (address: number) => string;
  /**
   * The link factors of receivedTq (our TQ to the neighbour and its asymmetry penalty) for the
   * neighbour they were worked out for. They depend only on our windows of that neighbour's own
   * OGMs and of our echoes, which only its own OGM or an echo of ours changes: so a frame of a
   * dozen OGMs works them out once, not once per OGM.
   */
  private linkOf: NeighbourState | undefined;
  private linkOwnTq = 0;
  private linkPenalty = 0;
  /** What prefetch() read (kept only so its reads stay). */
  private prefetched = 0;
  /** Neighbours holding early copies (holdEarlyOgms): most copies need not look for one. */
  private holding = 0;
  /** Reused for every received OGM; process() copies what it keeps. */
  private readonly scratch: Ogm = {
    ttl: 0,
    flags: 0,
    seqno: 0,
    originator: 0,
    prevSender: 0,
    tq: 0,
  };

  constructor(options: BatmanOptions & { nameOf?: (address: number) => string }, startMs = 0) {
    this.options = resolveBatmanOptions(options);
    this.nameOf = options.nameOf ?? ((a) => String(a));
    this.table = new CandidateTable(this.options.clearStaleTq);
    this.records = this.table.records;
    this.purgeWheel = new ExpiryWheel(this.options.originatorIntervalMs);
    if (this.options.translationTable) {
      this.tt = new TranslationTable({
        self: this.options.address,
        roamingAdvertisement: this.options.roamingAdvertisement,
        localTimeoutMs: this.options.ttLocalTimeoutMs,
        roamTimeoutMs: this.options.ttRoamTimeoutMs,
        tempTimeoutMs: this.options.ttTempTimeoutMs,
        requestTimeoutMs: this.options.ttRequestTimeoutMs,
        ttl: this.options.ttl,
      });
    }
    const rng = this.options.random;
    // batman-adv starts from a random sequence number so a reboot is told apart from a replay.
    this.seqno = Math.floor(rng.next() * 0x1_0000_0000) >>> 0;
    // A booting node has empty windows everywhere: its first OGMs come faster (fastStartOgms).
    this.fastOgmsLeft = this.options.fastStartOgms;
    // Nodes switched on together would otherwise send in lock-step.
    this.pending.push({
      sendAt:
        startMs +
        rng.int(this.fastOgmsLeft > 0 ? this.fastInterval() : this.options.originatorIntervalMs),
      own: true,
      ogms: [],
      size: this.ownSize(),
    });
    this.nextPurgeAt = startMs + this.options.originatorIntervalMs;
  }

  /** The neighbour to hand a frame for `dst` to, or undefined when we know no route. */
  nextHop(dst: number): number | undefined {
    const row = this.rowOf(dst);
    const router = row < 0 ? NO_ROUTER : this.records.router(row);
    return router === NO_ROUTER ? undefined : this.slotAddress[router];
  }

  /** TQ of our best route to `dst` (0 when none). */
  routeTq(dst: number): number {
    const o = this.originators.get(dst);
    return o ? this.routerTq(o) : 0;
  }

  /** TQ of the route `o` holds through its router (0 when none). */
  private routerTq(o: OriginatorState): number {
    return o.router === NO_ROUTER ? 0 : this.table.tqAvg(this.table.cell(o.row, o.router));
  }

  /** The gateway our client selection currently uses. */
  selectedGateway(): number | undefined {
    return this.selectedGw;
  }

  /**
   * Starts or stops announcing this node as a gateway from its next own OGM on, as
   * `batctl gw_mode server|off` does at run time (the node agent decides, the engine carries it).
   */
  announceGateway(gateway: { downKbit: number; upKbit: number } | undefined): void {
    // Validated as at construction: a bad bandwidth throws RoutingOptionError, nothing changes.
    const checked = resolveBatmanOptions({ ...this.options, gateway }).gateway;
    (this.options as { gateway: typeof gateway }).gateway = checked;
    if (gateway) this.selectedGw = undefined;
  }

  /** Earliest time `tick` has work to do. */
  nextDeadline(): number {
    let t = Math.min(this.nextPurgeAt, this.nextLossCheckAt);
    for (const p of this.pending) if (p.sendAt < t) t = p.sendAt;
    return t;
  }

  /** Processes one received frame (one or more aggregated OGMs) from link neighbour `from`. */
  receive(frame: Uint8Array, from: number, now: number): EngineOutput {
    // A node without the translation table still relays TT messages (a mixed mesh keeps working).
    if (frame[0] === TT_PACKET_TYPE) return this.receiveTt(frame, now);
    try {
      validateOgmFrame(frame);
    } catch {
      // A corrupt frame is dropped whole; state stays as it was.
      this.stats.malformedFrames++;
      return this.drain();
    }
    // Our own frame looped back to us is no neighbour (and must not become one).
    if (from === this.options.address) return this.drain();
    const neighbour = this.heard(from, now);
    const ogm = this.scratch;
    const me = this.options.address;
    this.linkOf = undefined;
    this.prefetch(frame, neighbour.slot);
    let off = 0;
    while (off < frame.length) {
      off = readOgm(frame, off, ogm);
      this.process(ogm, neighbour, now);
      // The neighbour's own OGM moved our window of it; an echo moved our echo window.
      if (ogm.originator === from || ogm.originator === me) this.linkOf = undefined;
    }
    return this.drain();
  }

  /**
   * Reads the originator record, the cell and the router's cell of every OGM of the frame
   * before any is processed. At simulator scale these are never cached (250 engines' tables),
   * and processing one OGM is a chain of dependent reads, so each miss was waited for in turn;
   * this loop has no such chain, and the processor fetches the frame's lines side by side.
   * It changes nothing: its result is only kept so the reads are not optimised away.
   */
  private prefetch(frame: Uint8Array, slot: number): void {
    const table = this.table;
    const records = this.records;
    let acc = 0;
    for (let off = 0; off < frame.length; off = nextOgmOffset(frame, off)) {
      const row = this.rowOf(ogmOriginatorAt(frame, off));
      if (row >= 0) acc ^= table.touch(row, slot, records.router(row));
    }
    this.prefetched = acc;
  }

  /** Sends what is due, purges what timed out. */
  tick(now: number): EngineOutput {
    if (this.pending.length > 0) {
      const due: PendingFrame[] = [];
      const later: PendingFrame[] = [];
      for (const p of this.pending) (p.sendAt <= now ? due : later).push(p);
      if (due.length > 0) {
        this.pending = later;
        due.sort((a, b) => a.sendAt - b.sendAt);
        for (const p of due) this.emit(p, now);
      }
    }
    if (now >= this.nextLossCheckAt) this.checkLostNeighbours(now);
    if (now >= this.nextPurgeAt) {
      this.purge(now);
      this.electGateway(now, false);
      this.nextPurgeAt = now + this.options.originatorIntervalMs;
    }
    return this.drain();
  }

  /** Originator table in the shape of `batctl oj`. */
  originatorsJson(now: number): OriginatorJson[] {
    const rows: OriginatorJson[] = [];
    for (const o of this.originators.values()) {
      for (const k of o.candidates) {
        const row: OriginatorJson = {
          hard_ifindex: 1,
          hard_ifname: this.options.ifname,
          orig_address: addressToMac(o.address),
          last_seen_msecs: Math.max(0, Math.round(now - o.lastSeen)),
          neigh_address: addressToMac(this.slotAddress[k]!),
          tq: this.table.tqAvg(this.table.cell(o.row, k)),
        };
        if (o.router === k) row.best = true;
        rows.push(row);
      }
    }
    return rows;
  }

  /**
   * Share of the neighbour's own OGMs lost on the direct link over its last `slots` sequence
   * numbers (0..1), or undefined for an unknown neighbour. The TQ averages a 64-OGM window, so
   * it needs about a minute to follow a change; this short view reacts within a few intervals
   * and is what tells an operator a link just degraded or just recovered. Intervals that passed
   * with no sequence number from the neighbour at all count as lost.
   */
  recentLoss(neighbour: number, now: number, slots = RECENT_LOSS_SLOTS): number | undefined {
    const orig = this.originatorOf(neighbour);
    const slot = this.slotAt[neighbour];
    if (!orig || slot === undefined) return undefined;
    const direct = this.table.cell(orig.row, slot);
    if (!this.table.present(direct) || this.table.span(direct) === 0) return undefined;
    const interval = this.options.originatorIntervalMs;
    // Half an interval of slack: jitter must not count a late OGM as lost.
    const silent = Math.max(0, Math.floor((now - orig.lastSeqnoAt) / interval - 0.5));
    const seen = Math.min(slots, this.table.span(direct));
    const missed = Math.min(slots, silent);
    const judged = Math.min(slots, seen + missed);
    const received = this.table.countWithin(direct, Math.max(0, judged - missed));
    return judged === 0 ? undefined : 1 - received / judged;
  }

  /** Neighbour table in the shape of `batctl nj` (B.A.T.M.A.N. IV variant, no throughput). */
  neighboursJson(now: number): NeighbourJson[] {
    return [...this.neighbours.values()].map((n) => ({
      hard_ifindex: 1,
      hard_ifname: this.options.ifname,
      last_seen_msecs: Math.max(0, Math.round(now - n.lastSeen)),
      neigh_address: addressToMac(n.address),
    }));
  }

  /** Gateway table in the shape of `batctl gwj`. */
  gatewaysJson(): GatewayJson[] {
    const rows: GatewayJson[] = [];
    for (const o of this.originators.values()) {
      if (!o.gateway || o.router === NO_ROUTER) continue;
      const row: GatewayJson = {
        orig_address: addressToMac(o.address),
        tq: this.routerTq(o),
        router: addressToMac(this.slotAddress[o.router]!),
        hard_ifname: this.options.ifname,
        bandwidth_down: o.gateway.down,
        bandwidth_up: o.gateway.up,
      };
      if (this.selectedGw === o.address) row.best = true;
      rows.push(row);
    }
    return rows;
  }

  /**
   * A client finished (re)associating here (a station on this AP). It is announced with our
   * next OGM; when another originator had it and roamingAdvertisement is on, the output holds
   * a roaming advertisement to that originator. Throws ClientMacError for a malformed MAC,
   * RoutingOptionError for a VLAN id outside 0..4095, TranslationTableOffError when the
   * translationTable option is off.
   */
  clientAdded(mac: string, vid: number, now: number): EngineOutput {
    const tt = this.requireTt('clientAdded');
    checkMac(mac);
    if (!Number.isInteger(vid) || vid < 0 || vid > MAX_VID)
      throw new RoutingOptionError('vid', `${vid} is not an integer within 0..${MAX_VID}`);
    for (const m of tt.clientAdded(mac, vid, now)) {
      this.events.push({
        at: now,
        node: this.options.name,
        kind: 'roam-advertisement',
        subject: mac,
        from: this.nameOf(m.dst),
        to: this.options.name,
        reason: `client ${mac} associated here; ${this.nameOf(m.dst)} announced it`,
      });
      this.sendTt(m);
    }
    return this.drain();
  }

  /**
   * A client left this node (or roamed away); announced with our next OGM. `now` is part of
   * the seam for symmetry with clientAdded: a removal sends nothing at once, so it is unused.
   */
  clientRemoved(mac: string, _now: number): EngineOutput {
    const tt = this.requireTt('clientRemoved');
    checkMac(mac);
    tt.clientRemoved(mac);
    return this.drain();
  }

  /** Traffic from a local client: it is alive (a silent client is purged after ttLocalTimeoutMs). */
  clientSeen(mac: string, now: number): void {
    this.requireTt('clientSeen').clientSeen(checkMac(mac), now);
  }

  /**
   * Where data for client `mac` goes now: our own address when it is attached here, else the
   * originator announcing it with the best route; undefined when unknown or off.
   */
  clientOriginator(mac: string): number | undefined {
    return this.tt?.originatorOf(mac, (o) => this.routeTq(o));
  }

  /** Whether client `mac` left this node since our last OGM (false when the table is off). */
  clientLeftRecently(mac: string): boolean {
    return this.tt?.leftRecently(mac) ?? false;
  }

  /** Whether roaming advertisement is on (the data plane forwards frames for a client that roamed away). */
  get roamingAdvertisement(): boolean {
    return this.tt?.roamingAdvertisement ?? false;
  }

  /** Translation-table counters (undefined when the option is off). */
  get ttStats(): TranslationTable['stats'] | undefined {
    return this.tt?.stats;
  }

  /** Our translation-table version number (0 before the first change, or when off). */
  get ttvn(): number {
    return this.tt?.local.ttvn ?? 0;
  }

  /** Local translation table in the shape of `batctl tlj` ([] when off). */
  localClientsJson(now: number): LocalClientJson[] {
    const tt = this.tt;
    if (!tt) return [];
    const crcs = new Map(tt.local.crcs().map((v) => [v.vid, v.crc]));
    return [...tt.local.all()].map((e) => ({
      tt_address: e.mac,
      tt_vid: e.vid,
      tt_flags: ttFlagsJson(e.flags),
      tt_crc32: crcs.get(e.vid) ?? 0,
      last_seen_msecs: Math.max(0, Math.round(now - e.lastSeen)),
    }));
  }

  /**
   * Global translation table in the shape of `batctl tgj` ([] when off). Takes `now` like the
   * other tables; batctl's global rows have no age column, so it is unused.
   */
  globalClientsJson(_now: number): GlobalClientJson[] {
    const tt = this.tt;
    if (!tt) return [];
    const rows: GlobalClientJson[] = [];
    for (const o of tt.global.originators()) {
      const crcs = new Map(o.crcs.map((v) => [v.vid, v.crc]));
      for (const e of o.clients.values()) {
        const row: GlobalClientJson = {
          tt_address: e.mac,
          orig_address: addressToMac(o.orig),
          tt_ttvn: e.ttvn,
          tt_last_ttvn: o.ttvn,
          tt_crc32: crcs.get(e.vid) ?? 0,
          tt_vid: e.vid,
          tt_flags: ttFlagsJson(e.flags),
        };
        if (!tt.local.active(e.mac) && this.clientOriginator(e.mac) === o.orig) row.best = true;
        rows.push(row);
      }
    }
    return rows;
  }

  /** Number of originators known (bounded by the network's size; used by memory checks). */
  get originatorCount(): number {
    return this.originators.size;
  }

  private requireTt(call: string): TranslationTable {
    if (!this.tt) throw new TranslationTableOffError(call);
    return this.tt;
  }

  /** Sends a TT message of ours towards its destination originator. */
  private sendTt(m: TtMessage): void {
    const nh = this.nextHop(m.dst);
    if (nh === undefined) {
      this.stats.ttUndeliverable++;
      return;
    }
    const bytes = encodeTtMessage(m);
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
    this.frames.push({ iface: this.options.ifname, bytes, to: nh });
  }

  /** A unicast TT message: ours to act on, or one to pass on towards its destination. */
  private receiveTt(frame: Uint8Array, now: number): EngineOutput {
    const tt = this.tt;
    let m: TtMessage;
    try {
      m = decodeTtMessage(frame);
    } catch {
      this.stats.malformedFrames++;
      return this.drain();
    }
    const dst = ttMessageDst(frame);
    if (dst === this.options.address) {
      if (!tt) {
        this.stats.ttUndeliverable++;
        return this.drain();
      }
      if (m.kind === 'roam-adv') {
        this.events.push({
          at: now,
          node: this.options.name,
          kind: 'client-roamed-away',
          subject: m.mac,
          from: this.options.name,
          to: this.nameOf(m.src),
          reason: `roaming advertisement from ${this.nameOf(m.src)}: frames for ${m.mac} now go there`,
        });
      }
      for (const answer of tt.onMessage(m, now)) this.sendTt(answer);
      return this.drain();
    }
    const nh = this.nextHop(dst);
    if (m.ttl <= 1 || nh === undefined) {
      this.stats.ttUndeliverable++;
      return this.drain();
    }
    const bytes = withTtMessageTtl(frame, m.ttl - 1);
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
    this.frames.push({ iface: this.options.ifname, bytes, to: nh });
    return this.drain();
  }

  private drain(): EngineOutput {
    if (this.frames.length === 0 && this.events.length === 0) return EMPTY_OUTPUT;
    const out = { frames: this.frames, events: this.events };
    this.frames = [];
    this.events = [];
    return out;
  }

  /** Room our own OGM reserves in its frame (forwards fill the rest of maxAggregateBytes). */
  private ownSize(): number {
    return (this.options.gateway ? 22 : 14) + (this.tt?.nextBlockSize() ?? 0);
  }

  /** Notes a frame from link neighbour `from`: liveness and its usual gap between frames. */
  private heard(from: number, now: number): NeighbourState {
    let n = this.neighbourAt[from];
    if (!n) {
      let slot = this.slotAt[from];
      if (slot === undefined) {
        slot = this.freeSlots.pop() ?? this.slots++;
        this.table.ensureNeighbourSlot(slot);
        this.slotAt[from] = slot;
        this.slotAddress[slot] = from;
        if (slot >= this.slotLost.length) {
          const grown = new Uint8Array(2 * this.slotLost.length);
          grown.set(this.slotLost);
          this.slotLost = grown;
        }
      }
      n = {
        address: from,
        slot,
        lastSeen: now,
        since: now,
        gapAvg: 0,
        gapMax: 0,
        gapSamples: 0,
        ownAt: now,
        relayOf: [],
        relayAt: [],
        echo: new SeqWindow(),
        held: undefined,
      };
      this.neighbours.set(from, n);
      this.neighbourAt[from] = n;
    } else {
      // Only a long silence (a reboot, a healed link) leaves stale state worth a restart; a
      // neighbour briefly declared lost by a burst of losses resumes as it was.
      if (this.isLost(n) && now - n.lastSeen >= 2 * this.options.originatorIntervalMs)
        this.rediscovered(n, now);
      const gap = now - n.lastSeen;
      // A silence long enough to count as a loss says nothing about the usual gap.
      if (gap > 0 && gap < this.lossThreshold(n)) {
        n.gapAvg = n.gapSamples === 0 ? gap : n.gapAvg + (gap - n.gapAvg) / GAP_AVG_WEIGHT;
        n.gapMax = Math.max(gap, n.gapMax - n.gapMax / GAP_MAX_DECAY);
        n.gapSamples++;
      }
      n.lastSeen = now;
      this.slotLost[n.slot] = 0;
    }
    if (this.options.neighbourLossFactor > 0) {
      // The silence threshold is a lower bound of lossAt (the check finds the exact time).
      const at = now + this.lossThreshold(n);
      if (at < this.nextLossCheckAt) this.nextLossCheckAt = at;
    }
    return n;
  }

  /**
   * How long a neighbour must at least stay silent before it is declared lost (lossAt also
   * waits for an overdue OGM): `neighbourLossFactor` times its usual gap between frames, within
   * [interval / 2, 2 intervals]; 2 intervals until enough gaps were seen (by then the
   * relay-freshness rule acts anyway).
   */
  private lossThreshold(n: NeighbourState): number {
    const interval = this.options.originatorIntervalMs;
    const factor = this.options.neighbourLossFactor;
    // A neighbour's rhythm settles only after its (and the mesh's) start-up: fast-start OGMs
    // and the first floods would teach short gaps that the steady state then "misses".
    if (
      factor === 0 ||
      n.gapSamples < MIN_GAP_SAMPLES ||
      n.lastSeen - n.since < SETTLE_INTERVALS * interval
    )
      return 2 * interval;
    // Frames come in bursts (OGM waves), so a neighbour's usual rhythm can hold one long pause
    // per interval: a silence must also outlast that pause by half again to count as a loss.
    const usual = Math.max(factor * n.gapAvg, PAUSE_SLACK * n.gapMax);
    return Math.min(2 * interval, Math.max(interval / 2, usual));
  }

  /**
   * When a neighbour that sends nothing more is declared lost: once its silence lasted the
   * threshold above and a frame it sends every interval is overdue. Between the OGM waves of
   * a mesh a neighbour may pause for most of an interval (how long drifts with every node's
   * jitter), so time alone misjudges it; but every interval, at most `jitterMs` late, it sends
   * its own OGM and relays the own OGM of each of its direct neighbours (within its
   * forwarding delay), whatever its routes. A miss of one of those is what its rhythm never
   * explains; the earliest one due after the last frame decides.
   */
  private lossAt(n: NeighbourState): number {
    const { originatorIntervalMs: interval, jitterMs: jitter, aggregationMs } = this.options;
    const period = interval + jitter;
    const slack = OGM_TRANSIT_SLACK * interval;
    // Its own OGM, k periods after the last one received: the first one due after the last
    // frame (one missed while other frames still came says nothing about this silence).
    const k = Math.floor((n.lastSeen - n.ownAt) / period) + 1;
    let due = n.ownAt + k * period + slack;
    // A relay waits up to half the jitter and one aggregation window at the neighbour. Only
    // relays it kept up until the silence began count: one that stopped before (its source
    // died or moved away) was missed while the neighbour still talked.
    const relayPeriod = period + Math.floor(jitter / 2) + aggregationMs + slack;
    for (let i = 0; i < n.relayAt.length; i++) {
      const at = n.relayAt[i]! + relayPeriod;
      if (at > n.lastSeen && at < due) due = at;
    }
    return Math.max(n.lastSeen + this.lossThreshold(n), due);
  }

  /** The neighbour relayed the own OGM of its direct neighbour `origin` (lossAt). */
  private relayed(n: NeighbourState, origin: number, now: number): void {
    const i = n.relayOf.indexOf(origin);
    if (i >= 0) {
      n.relayAt[i] = now;
    } else {
      n.relayOf.push(origin);
      n.relayAt.push(now);
    }
  }

  /**
   * A neighbour heard again after it was declared lost (rebooted, or its link healed): the TQ
   * averages through it describe paths from before the silence, and its rhythm starts anew.
   */
  private rediscovered(n: NeighbourState, now: number): void {
    n.since = now;
    n.gapAvg = 0;
    n.gapMax = 0;
    n.gapSamples = 0;
    if (this.options.clearStaleTq) {
      for (const o of this.originators.values()) {
        const c = this.table.cell(o.row, n.slot);
        if (this.table.present(c)) this.table.clearRing(c);
      }
    }
  }

  private fastInterval(): number {
    return this.options.fastStartIntervalMs;
  }

  private isLost(n: NeighbourState | undefined): boolean {
    return n !== undefined && this.slotLost[n.slot] === 1;
  }

  /** Declares silent neighbours lost and moves the routes that used them (our addition). */
  private checkLostNeighbours(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    const lost: NeighbourState[] = [];
    for (const n of this.neighbours.values()) {
      if (this.isLost(n)) continue;
      const at = this.lossAt(n);
      if (at <= now) {
        this.slotLost[n.slot] = 1;
        lost.push(n);
      } else if (at < next) next = at;
    }
    this.nextLossCheckAt = next;
    if (lost.length === 0) return;
    for (const o of this.originators.values()) {
      if (o.router === NO_ROUTER) continue;
      const r = this.slotAddress[o.router]!;
      // The lost neighbour itself keeps its route: no one has news of it, and re-routing
      // towards a node that may be dead can only build loops. Its next OGM, if any, decides.
      if (o.address !== r && this.isLost(this.neighbourAt[r])) this.selectRouter(o, now, r);
    }
  }

  private process(ogm: Ogm, neighbour: NeighbourState, now: number): void {
    const me = this.options.address;
    const from = neighbour.address;
    this.stats.ogmsReceived++;

    // The OGMs a live neighbour sends every interval (lossAt): its own, and its relays of its
    // direct neighbours' own OGMs (ours included).
    if (ogm.originator === from) neighbour.ownAt = now;
    else if (ogm.prevSender === ogm.originator && ogm.flags & FLAG_DIRECTLINK)
      this.relayed(neighbour, ogm.originator, now);
    if (ogm.originator === me) {
      // Our own OGM, re-broadcast by a neighbour that heard it directly: one echo.
      if (ogm.flags & FLAG_DIRECTLINK) neighbour.echo.set((this.seqno - ogm.seqno) | 0);
      return;
    }
    // We forwarded this copy to `from` ourselves: nothing new about the originator, but `from`
    // now routes through us, so what it offered before is a path it left.
    if (ogm.prevSender === me) {
      const known = this.rowOf(ogm.originator);
      if (known >= 0) this.leftPath(known, neighbour.slot, me, now);
      return;
    }

    // The originator's row, not its object: every copy reads its record, few need the rest.
    const row = this.originator(ogm.originator, now);
    const records = this.records;
    const dup = this.updateSeqnos(row, neighbour, ogm, now);
    if (dup === 'protected' || ogm.tq === 0) return;

    const routerSlot = records.router(row);
    const router = routerSlot === NO_ROUTER ? undefined : this.slotAddress[routerSlot]!;
    if (router === ogm.prevSender && ogm.originator !== ogm.prevSender) {
      // Temporary-loop guard from batman-adv: our next hop relayed this copy onwards and it
      // came back through someone else, while that next hop is its own direct neighbour. Not
      // once that next hop is declared lost (our link to it failed): then this copy shows a
      // path that still works.
      const ro = this.rowOf(router);
      const roRouter = ro < 0 ? NO_ROUTER : records.router(ro);
      if (
        roRouter !== NO_ROUTER &&
        this.slotAddress[roRouter] === router &&
        !this.isLost(this.neighbourAt[router])
      ) {
        // The copy is dropped, but updateSeqnos counted it as relayed (routerMissLimit): the
        // sender now routes through our own next hop, so the TQs in its ring describe a path it
        // left. Kept, they would let it win a later re-pick and loop (clearStaleTq).
        this.leftPath(row, neighbour.slot, ogm.prevSender, now);
        return;
      }
    }

    const singleHop = ogm.originator === from;
    const senderRow = singleHop ? row : this.rowOf(from);
    // OGM via a neighbour we cannot route to
    if (!singleHop && (senderRow < 0 || records.router(senderRow) === NO_ROUTER)) {
      if (this.options.holdEarlyOgms && dup !== 'neigh-dup' && records.router(row) === NO_ROUTER)
        this.hold(neighbour, ogm, now);
      return;
    }

    const tq = this.receivedTq(ogm, neighbour);
    const bidirectional = tq >= 1;

    if (
      bidirectional &&
      (dup === 'new' ||
        (dup === 'orig-dup' &&
          records.lastSeqno(row) === ogm.seqno &&
          records.lastTtl(row) - 3 <= ogm.ttl))
    ) {
      this.updateOriginator(row, neighbour.slot, ogm, tq, dup === 'new', now);
    }
    // Our first route to a neighbour that relayed copies while we could not route to it.
    if (this.holding > 0) {
      const relayer = this.neighbourAt[ogm.originator];
      if (relayer?.held && records.router(row) !== NO_ROUTER) this.replayHeld(relayer, now);
    }

    if (dup === 'neigh-dup') return;
    if (singleHop) {
      this.forward(ogm, tq, from, true, now);
    } else if (bidirectional && records.router(row) === neighbour.slot) {
      const queued = this.queuedAt[row];
      if (!records.forwarded(row, ogm.seqno)) {
        records.setForwarded(row, ogm.seqno);
        this.queuedAt[row] = this.forward(ogm, tq, from, false, now);
      } else if (queued && queued.prevSender !== from && this.options.recheckForwards) {
        // Our route moved to `from` while the copy we forward still names the old next hop:
        // send this one in its place.
        queued.prevSender = from;
        queued.tq = hopPenalty(tq, this.options.hopPenalty);
        queued.ttl = ogm.ttl - 1;
      }
    }
  }

  /**
   * Keeps a copy relayed by a neighbour we cannot route to yet (holdEarlyOgms), the newest per
   * originator. batman-adv drops it; a booting node then waits for the next sequence number to
   * come through after its links are confirmed, and at 10+ hops with lossy links the next one
   * or two often do not reach it at all (22-34 % of them at 8-12 hops in random-250-chaos,
   * measured in docs/simulator-and-routing.md).
   */
  private hold(n: NeighbourState, ogm: Ogm, now: number): void {
    if (!n.held) {
      n.held = new Map();
      this.holding++;
    }
    const before = n.held.get(ogm.originator);
    if (before && ((ogm.seqno - before.ogm.seqno) | 0) < 0) return;
    n.held.set(ogm.originator, { ogm: { ...ogm }, at: now });
  }

  /**
   * Our route to neighbour `n` is confirmed: the copies it relayed meanwhile are used, as if
   * they came now, for the originators we still have no route to and whose newest sequence
   * number they carry (at most one interval old). They are not forwarded: they are old news
   * to everyone but us.
   */
  private replayHeld(n: NeighbourState, now: number): void {
    const held = n.held!;
    n.held = undefined;
    this.holding--;
    const records = this.records;
    for (const { ogm, at } of held.values()) {
      if (now - at > this.options.originatorIntervalMs) continue;
      const row = this.rowOf(ogm.originator);
      if (row < 0 || records.router(row) !== NO_ROUTER || records.lastSeqno(row) !== ogm.seqno)
        continue;
      const tq = this.receivedTq(ogm, n);
      if (tq >= 1) this.updateOriginator(row, n.slot, ogm, tq, true, now);
    }
  }

  /**
   * TQ of a copy received from neighbour `n`: its TQ times our link to `n` (local TQ and
   * asymmetry penalty from the windows of `n`'s own OGMs and of our echoes).
   */
  private receivedTq(ogm: Ogm, n: NeighbourState): number {
    if (this.linkOf !== n) {
      const table = this.table;
      const senderRow = this.rowOf(n.address);
      const direct = senderRow >= 0 ? table.cell(senderRow, n.slot) : -1;
      const known = direct >= 0 && table.present(direct);
      const rq = known ? table.count(direct) : 0;
      const span = known ? table.span(direct) : 0;
      this.linkOwnTq = localTq(n.echo.count(), rq);
      this.linkPenalty = asymmetryPenalty(this.judgedRq(rq, span));
      this.linkOf = n;
    }
    return combinedTq(ogm.tq, this.linkOwnTq, this.linkPenalty);
  }

  /**
   * A copy from the neighbour in `slot` showed that it now routes through `via`: us, or our
   * own next hop (the copies process() drops for that). Its ring still holds the TQs of the
   * path it used before, which after a death is the dead one; left there, they outrank the
   * live paths at the next re-pick, and two such neighbours routing through each other loop
   * until the relay rule catches it. With clearStaleTq the ring is cleared, so the neighbour
   * counts again only with the TQ of a copy that came another way (Babel, RFC 8966 §3.5:
   * a neighbour's newest update replaces its metric; a route through ourselves is never one).
   * A router that turns out to route through us is left at once.
   */
  private leftPath(row: number, slot: number, via: number, now: number): void {
    const table = this.table;
    const cand = table.cell(row, slot);
    if (!table.present(cand) || !this.options.clearStaleTq) return;
    table.setPrevSender(cand, via);
    table.clearRing(cand);
    if (this.records.router(row) === slot) this.selectRouter(this.byRow[row]!, now);
  }

  /** The originator's row, made (with its object) the first time it is heard of. */
  private originator(address: number, now: number): number {
    const known = this.rowOf(address);
    if (known >= 0) return known;
    const row = this.table.addOriginator(now);
    const o = new OriginatorState(
      address,
      row,
      this.records,
      this.originatorsMade++,
      // Less 1 ms: the purge compares differences, and rounding must not make this late.
      now + this.options.purgeTimeoutMs - 1,
    );
    this.originators.set(address, o);
    this.setRowOf(address, row);
    this.byRow[row] = o;
    this.queuedAt[row] = undefined;
    this.purgeWheel.add(o, o.expiryFrom);
    return row;
  }

  private originatorOf(address: number): OriginatorState | undefined {
    const row = this.rowOf(address);
    return row < 0 ? undefined : this.byRow[row];
  }

  /** The originator row of `address`, -1 when unknown. */
  private rowOf(address: number): number {
    return address < this.rows.length ? this.rows[address]! : -1;
  }

  private setRowOf(address: number, row: number): void {
    if (address >= this.rows.length) {
      let size = this.rows.length;
      while (size <= address) size *= 2;
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[address] = row;
  }

  private updateSeqnos(row: number, neighbour: NeighbourState, ogm: Ogm, now: number): DupStatus {
    const table = this.table;
    const records = this.records;
    const cand = table.cell(row, neighbour.slot);
    if (!table.present(cand)) {
      table.add(row, neighbour.slot, now, ogm.prevSender);
      this.byRow[row]!.candidates.push(neighbour.slot);
    }
    if (!records.hasSeqno(row)) {
      records.setSeqno(row, ogm.seqno, now);
      table.setAge(cand, 0);
      table.setLastSeen(cand, now);
      return 'new';
    }
    const diff = (ogm.seqno - records.lastSeqno(row)) | 0;
    if (diff <= -WINDOW_SIZE || diff >= EXPECTED_SEQNO_RANGE) {
      // Either a reboot (new random seqno) or garbage: accept at most once per protection period,
      // unless the old sequence space has gone silent (then the originator did reboot).
      const orig = this.byRow[row]!;
      const silence = this.options.originatorSilenceMs;
      const silent = silence > 0 && now - records.lastSeqnoAt(row) >= silence;
      if (!silent && now - orig.lastReset < this.options.resetProtectionMs) return 'protected';
      orig.lastReset = now;
      // Every candidate's window (and with clearStaleTq its ring) is cleared when next touched.
      table.reset(row);
      records.setSeqno(row, ogm.seqno, now);
      records.clearForwarded(row);
      table.setAge(cand, 0);
      table.setLastSeen(cand, now);
      return 'new';
    }
    if (diff > 0) {
      // Every candidate's window moves on by `diff` when next touched.
      table.advance(row, diff);
      records.setSeqno(row, ogm.seqno, now);
      table.setAge(cand, 0);
      table.setLastSeen(cand, now);
      return 'new';
    }
    if (table.has(cand, -diff)) return 'neigh-dup';
    table.setAge(cand, -diff);
    table.setLastSeen(cand, now);
    return 'orig-dup';
  }

  private updateOriginator(
    row: number,
    slot: number,
    ogm: Ogm,
    tq: number,
    isNew: boolean,
    now: number,
  ): void {
    const records = this.records;
    records.setLastSeen(row, now);
    const table = this.table;
    const cand = table.cell(row, slot);
    // The object holds the bandwidths; only gateways (announcing now or before) need it.
    if (isNew && (ogm.gateway || records.hasGateway(row))) {
      this.byRow[row]!.gateway = ogm.gateway
        ? { down: ogm.gateway.down, up: ogm.gateway.up }
        : undefined;
      records.setHasGateway(row, ogm.gateway !== undefined);
    }
    if (isNew) records.setLastTtl(row, ogm.ttl);
    table.setPrevSender(cand, ogm.prevSender);
    const before = table.tqAvg(cand);
    // A new sequence number also pushes a 0 into every other candidate's ring (lazily).
    table.pushTq(cand, tq, isNew);
    // The route is re-picked only where it can have changed: among the candidates only this
    // one got a TQ; the others only aged (they are judged against the router when their own
    // copies come). So: a scan when the router got worse or may have stopped being eligible,
    // else one comparison with the router.
    const routerSlot = records.router(row);
    const router = routerSlot === NO_ROUTER ? -1 : table.cell(row, routerSlot);
    if (
      router < 0 ||
      (router === cand && table.tqAvg(cand) < before) ||
      (isNew && !this.eligible(router))
    ) {
      this.selectRouter(this.byRow[row]!, now);
    } else if (router !== cand && this.beats(cand, router) && this.eligible(cand)) {
      this.setRouter(
        this.byRow[row]!,
        slot,
        `TQ ${table.tqAvg(cand)} via ${this.nameOf(this.slotAddress[slot]!)} beats ${table.tqAvg(router)}`,
        now,
      );
    }
    if (records.hasGateway(row)) this.checkGatewayElection(this.byRow[row]!, now);
    // After the route choice above, so a TT request can already find its way back.
    if (isNew && this.tt && ogm.tt)
      for (const m of this.tt.onOgmBlock(ogm.originator, ogm.tt, now)) this.sendTt(m);
  }

  /**
   * Whether candidate cell `c` is enough better than the working router's `cur` to move the
   * route (the hysteresis of routeSwitchMarginPct): strictly higher TQ by more than the margin.
   */
  private beats(c: number, cur: number): boolean {
    const pct = this.options.routeSwitchMarginPct;
    const curTq = this.table.tqAvg(cur);
    const margin = pct === 0 ? 0 : Math.max(1, Math.floor((curTq * pct) / 100));
    return this.table.tqAvg(c) > curTq + margin;
  }

  /** Whether candidate cell `c` may carry the route. */
  private eligible(c: number): boolean {
    const limit = this.options.routerMissLimit;
    if (this.table.tqAvg(c) === 0 || (limit > 0 && !this.table.anyWithin(c, limit + 1)))
      return false;
    return this.slotLost[this.table.slotOf(c)] === 0;
  }

  /**
   * Moves the route to the best eligible candidate. With `avoidVia`, a neighbour just declared
   * lost, candidates whose latest copy came through it are skipped: they were most likely
   * routing through it too (the cascade after a relay dies), and two of them picking each
   * other would loop. With none left the route stays until fresh OGMs show a working one.
   */
  private selectRouter(orig: OriginatorState, now: number, avoidVia?: number): void {
    const table = this.table;
    const curSlot = orig.router;
    const cur = curSlot === NO_ROUTER ? -1 : table.cell(orig.row, curSlot);
    let best = -1;
    let bestTq = 0;
    for (const k of orig.candidates) {
      const c = table.cell(orig.row, k);
      if (!this.eligible(c) || table.prevSender(c) === avoidVia) continue;
      const tq = table.tqAvg(c);
      if (best < 0 || tq > bestTq || (tq === bestTq && c === cur)) {
        best = c;
        bestTq = tq;
      }
    }
    if (best < 0 || best === cur) return;
    const bestSlot = table.slotOf(best);
    const via = this.nameOf(this.slotAddress[bestSlot]!);
    // A working router stays unless the best beats it by the margin (route stability).
    const curKept = cur >= 0 && table.present(cur);
    if (
      curKept &&
      table.prevSender(cur) !== avoidVia &&
      this.eligible(cur) &&
      !this.beats(best, cur)
    )
      return;
    let reason: string;
    if (cur < 0) {
      reason = `first route, TQ ${bestTq}`;
    } else {
      const curAddress = this.slotAddress[curSlot]!;
      const n = this.neighbourAt[curAddress];
      if (!curKept) {
        reason = `next hop ${this.nameOf(curAddress)} purged; TQ ${bestTq} via ${via}`;
      } else if (n && this.isLost(n)) {
        reason = `next hop ${this.nameOf(curAddress)} silent for ${Math.round(now - n.lastSeen)} ms (usually ${Math.round(n.gapAvg)} ms between frames); TQ ${bestTq} via ${via}`;
      } else if (table.prevSender(cur) === this.options.address) {
        reason = `next hop ${this.nameOf(curAddress)} routes through us; TQ ${bestTq} via ${via}`;
      } else if (!this.eligible(cur)) {
        reason = `next hop ${this.nameOf(curAddress)} relayed none of the last ${this.options.routerMissLimit + 1} OGMs (TQ avg ${table.tqAvg(cur)}); TQ ${bestTq} via ${via}`;
      } else {
        reason = `TQ ${bestTq} via ${via} beats ${table.tqAvg(cur)}`;
      }
    }
    this.setRouter(orig, bestSlot, reason, now);
  }

  /** Moves the route to neighbour slot `to` (NO_ROUTER: withdrawn) and says why. */
  private setRouter(orig: OriginatorState, to: number, reason: string, now: number): void {
    const from = orig.router;
    orig.router = to;
    this.stats.routeChanges++;
    // A route again: the originator's silence matters again to the purge.
    const silence = this.options.originatorSilenceMs;
    if (from === NO_ROUTER && to !== NO_ROUTER && silence > 0) {
      const at = orig.lastSeqnoAt + silence - 1;
      if (this.purgeWheel.keyOf(at) < orig.wheelKey) this.purgeWheel.add(orig, at);
    }
    this.events.push({
      at: now,
      node: this.options.name,
      kind: 'route-change',
      subject: this.nameOf(orig.address),
      from: from === NO_ROUTER ? null : this.nameOf(this.slotAddress[from]!),
      to: to === NO_ROUTER ? null : this.nameOf(this.slotAddress[to]!),
      reason,
    });
  }

  private forward(
    ogm: Ogm,
    tq: number,
    from: number,
    directLink: boolean,
    now: number,
  ): Ogm | undefined {
    if (ogm.ttl <= 1) return undefined;
    const fwd: Ogm = {
      ttl: ogm.ttl - 1,
      flags: directLink ? FLAG_DIRECTLINK : 0,
      seqno: ogm.seqno,
      originator: ogm.originator,
      prevSender: from,
      tq: hopPenalty(tq, this.options.hopPenalty),
      gateway: ogm.gateway,
      tt: ogm.tt,
    };
    // batman-adv delays a forward by up to half its jitter, then lets it join a frame that
    // leaves within the aggregation window.
    const sendAt = now + this.options.random.int(Math.floor(this.options.jitterMs / 2) + 1);
    const size = ogmSize(fwd);
    const agg = this.options.aggregationMs;
    if (agg > 0) {
      for (const p of this.pending) {
        if (
          p.sendAt >= sendAt &&
          p.sendAt <= sendAt + agg &&
          p.size + size <= this.options.maxAggregateBytes
        ) {
          p.ogms.push(fwd);
          p.size += size;
          return fwd;
        }
      }
    }
    // Nothing to join: like batman-adv, hold the forward back one aggregation window so the
    // OGMs that arrive meanwhile can ride in the same frame.
    this.pending.push({ sendAt: sendAt + agg, own: false, ogms: [fwd], size });
    return fwd;
  }

  private emit(p: PendingFrame, now: number): void {
    let ogms = p.ogms;
    if (this.options.recheckForwards) ogms = this.currentForwards(ogms);
    if (p.own) {
      ogms = [this.ownOgm(), ...ogms];
      const { originatorIntervalMs: interval, jitterMs: jitter } = this.options;
      let next = now + interval - jitter + this.options.random.int(2 * jitter + 1);
      if (this.fastOgmsLeft > 0) {
        this.fastOgmsLeft--;
        next = now + this.fastInterval() - jitter + this.options.random.int(2 * jitter + 1);
      }
      this.pending.push({ sendAt: next, own: true, ogms: [], size: this.ownSize() });
    }
    if (ogms.length === 0) return;
    // Our own OGM may have outgrown the room it reserved (a TT diff): it then leaves alone and
    // the forwards follow in a frame of their own.
    if (p.own && ogms.length > 1) {
      let size = 0;
      for (const o of ogms) size += ogmSize(o);
      if (size > this.options.maxAggregateBytes) {
        this.send([ogms[0]!]);
        ogms = ogms.slice(1);
      }
    }
    this.send(ogms);
  }

  private send(ogms: Ogm[]): void {
    const bytes = encodeOgmFrame(ogms);
    this.stats.framesSent++;
    this.stats.bytesSent += bytes.length;
    this.frames.push({ iface: this.options.ifname, bytes });
  }

  /**
   * The receive count the asymmetry penalty judges (our addition, scaleYoungWindows): a window
   * younger than 64 sequence numbers (a new or rebooted neighbour) is judged by the share of
   * the sequence numbers it has seen, scaled to 64, not by its bare count. batman-adv counts
   * the unseen slots as lost, which crushes a new link's TQ (1 OGM: 12/255) for many seconds
   * and, multiplied along paths and rounded down, drops far routes through it to TQ 0.
   */
  private judgedRq(rq: number, span: number): number {
    if (!this.options.scaleYoungWindows || span >= WINDOW_SIZE - 1 || rq === 0) return rq;
    return Math.min(WINDOW_SIZE, Math.round((rq * WINDOW_SIZE) / (span + 1)));
  }

  /** The forwards still backed by our route (DIRECTLINK echoes always are). */
  private currentForwards(ogms: Ogm[]): Ogm[] {
    let kept = ogms;
    for (let i = 0; i < ogms.length; i++) {
      const o = ogms[i]!;
      if (o.flags & FLAG_DIRECTLINK) continue;
      const row = this.rowOf(o.originator);
      if (row >= 0 && this.queuedAt[row] === o) this.queuedAt[row] = undefined;
      const router = row < 0 ? NO_ROUTER : this.records.router(row);
      if (router !== NO_ROUTER && this.slotAddress[router] === o.prevSender) {
        if (kept !== ogms) kept.push(o);
      } else if (kept === ogms) {
        kept = ogms.slice(0, i);
      }
    }
    return kept;
  }

  private ownOgm(): Ogm {
    this.seqno = (this.seqno + 1) >>> 0;
    for (const n of this.neighbours.values()) n.echo.shift(1);
    const gw = this.options.gateway;
    let tt: TtBlock | undefined;
    if (this.tt) {
      const room =
        this.options.maxAggregateBytes - OGM_HEADER_BYTES - (gw ? GATEWAY_BLOCK_BYTES : 0);
      tt = this.tt.ownBlock(room);
    }
    return {
      tt,
      ttl: this.options.ttl,
      flags: 0,
      seqno: this.seqno,
      originator: this.options.address,
      prevSender: this.options.address,
      tq: TQ_MAX,
      gateway: gw
        ? { down: Math.round(gw.downKbit / 100), up: Math.round(gw.upKbit / 100) }
        : undefined,
    };
  }

  private purge(now: number): void {
    if (this.tt) {
      for (const mac of this.tt.purge(now)) {
        this.events.push({
          at: now,
          node: this.options.name,
          kind: 'client-purged',
          subject: mac,
          from: this.options.name,
          to: null,
          reason: `client ${mac} silent for more than ${this.options.ttLocalTimeoutMs} ms`,
        });
      }
    }
    const timeout = this.options.purgeTimeoutMs;
    // A neighbour's slot is handed back at once: every candidate through it was heard no later
    // than the neighbour itself, so each of them is purged below, in this same pass.
    for (const [addr, n] of this.neighbours) {
      if (now - n.lastSeen > timeout) {
        if (n.held) this.holding--;
        this.neighbours.delete(addr);
        this.neighbourAt[addr] = undefined;
        this.slotAt[addr] = undefined;
        this.slotLost[n.slot] = 0;
        this.freeSlots.push(n.slot);
      }
    }
    // Only the originators the wheel hands out can have anything to purge; they are handled
    // in the originator table's order, as a scan of the whole table would.
    const pass = ++this.purgePasses;
    const touched: OriginatorState[] = [];
    for (const o of this.purgeWheel.takeDue(now, this.wheelOut)) {
      if (o.purgePass === pass) continue;
      o.purgePass = pass;
      if (o.expiryFrom <= now || this.silent(o, now)) touched.push(o);
      else this.purgeWheel.add(o, this.purgeDue(o));
    }
    this.wheelOut.length = 0;
    if (touched.length > 1) touched.sort((a, b) => a.order - b.order);
    for (const o of touched) {
      this.purgeOriginator(o, now);
      if (o.candidates.length > 0) this.purgeWheel.add(o, this.purgeDue(o));
    }
  }

  /** Whether the purge withdraws the route to `o` for silence (originatorSilenceMs). */
  private silent(o: OriginatorState, now: number): boolean {
    const silence = this.options.originatorSilenceMs;
    return o.router !== NO_ROUTER && silence > 0 && now - o.lastSeqnoAt >= silence;
  }

  /** The earliest time `o` may need the purge again (less 1 ms against rounding). */
  private purgeDue(o: OriginatorState): number {
    const silence = this.options.originatorSilenceMs;
    if (o.router === NO_ROUTER || silence === 0) return o.expiryFrom;
    return Math.min(o.expiryFrom, o.lastSeqnoAt + silence - 1);
  }

  /** Expired candidates, the route they carried, silence, and the originator once empty. */
  private purgeOriginator(o: OriginatorState, now: number): void {
    const table = this.table;
    const timeout = this.options.purgeTimeoutMs;
    const slots = o.candidates;
    if (o.expiryFrom <= now) {
      let kept = 0;
      let oldest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < slots.length; i++) {
        const c = table.cell(o.row, slots[i]!);
        const seen = table.lastSeen(c);
        if (now - seen > timeout) {
          table.remove(c);
        } else {
          slots[kept++] = slots[i]!;
          if (seen < oldest) oldest = seen;
        }
      }
      slots.length = kept;
      o.expiryFrom = oldest + timeout - 1;
    }
    if (o.router !== NO_ROUTER && !table.present(table.cell(o.row, o.router))) {
      this.selectRouter(o, now);
      if (o.router !== NO_ROUTER && !table.present(table.cell(o.row, o.router))) {
        this.setRouter(
          o,
          NO_ROUTER,
          `next hop ${this.nameOf(this.slotAddress[o.router]!)} purged after ${timeout} ms of silence`,
          now,
        );
      }
    }
    if (this.silent(o, now)) {
      this.setRouter(
        o,
        NO_ROUTER,
        `no new OGM from ${this.nameOf(o.address)} for ${Math.round(now - o.lastSeqnoAt)} ms; route withdrawn`,
        now,
      );
    }
    if (slots.length === 0) {
      this.originators.delete(o.address);
      this.rows[o.address] = -1;
      this.byRow[o.row] = undefined;
      this.queuedAt[o.row] = undefined;
      this.table.removeOriginator(o.row);
      o.wheelKey = -1;
      this.tt?.originatorGone(o.address);
    }
  }

  private gatewayCandidates(): GatewayCandidate[] {
    const out: GatewayCandidate[] = [];
    for (const o of this.originators.values()) {
      if (!o.gateway || o.router === NO_ROUTER) continue;
      const tq = this.routerTq(o);
      if (tq > 0) out.push({ address: o.address, tq, down: o.gateway.down });
    }
    return out;
  }

  private checkGatewayElection(orig: OriginatorState, now: number): void {
    if (this.options.gateway) return; // a gateway does not pick another one
    const cls = this.options.gwSelClass;
    if (this.selectedGw === undefined) return this.electGateway(now, true);
    if (cls <= 2 || this.selectedGw === orig.address) return;
    const curTq = this.routeTq(this.selectedGw);
    if (shouldSwitch(cls, curTq, this.routerTq(orig))) this.electGateway(now, true);
  }

  /** Re-elects when forced, or when the current gateway is gone or unreachable. */
  private electGateway(now: number, force: boolean): void {
    if (this.options.gateway) return;
    const cur = this.selectedGw;
    const curGone =
      cur !== undefined && (!this.originators.get(cur)?.gateway || this.routeTq(cur) === 0);
    if (!force && cur !== undefined && !curGone) return;
    const best = bestGateway(this.gatewayCandidates(), this.options.gwSelClass);
    const next = best?.address;
    if (next === cur) return;
    this.selectedGw = next;
    this.events.push({
      at: now,
      node: this.options.name,
      kind: 'gateway-select',
      subject: 'gateway',
      from: cur === undefined ? null : this.nameOf(cur),
      to: next === undefined ? null : this.nameOf(next),
      reason: best
        ? `class ${this.options.gwSelClass}: TQ ${best.tq}, ${best.down * 100} kbit/s down${curGone ? '; previous gateway gone' : ''}`
        : 'no gateway reachable',
    });
  }
}

const EMPTY_OUTPUT: EngineOutput = Object.freeze({
  frames: [],
  events: [],
}) as unknown as EngineOutput;
