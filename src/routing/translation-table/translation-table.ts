/**
 * One node's translation table, sans-IO: the local table (clients attached here), the global
 * table (clients of every other originator), the TT block of our own OGMs, and the unicast
 * messages that keep tables in step (TT request/response) and make roams seamless (roaming
 * advertisement). The engine owns one when its `translationTable` option is on; it hands OGM
 * TT blocks and TT messages in and sends the messages that come back.
 *
 * Roaming, restated from batman-adv: the node a client (re)associates with announces it on its
 * next OGM; when its global table says the client was at originator O, and roaming
 * advertisement is on, it also tells O at once (unicast). O then marks its local entry ROAM
 * (its next OGM announces the removal flagged ROAM) and points its own lookup for the client at
 * the new node, so frames still in flight towards O are forwarded rather than dropped. Every
 * other node moves when the new node's OGM diff reaches it.
 *
 * @example
 * const tt = new TranslationTable({ self: 1, roamingAdvertisement: true });
 * tt.clientAdded('aa:bb:cc:dd:ee:01', 0, 0); // [] (nobody else had it)
 * tt.ownBlock(500); // { ttvn: 1, vlans: [{ vid: 0, crc }], changes: [ADD aa:bb:…] }
 */
import { GlobalTable } from './global-table.ts';
import { LocalTable } from './local-table.ts';
import {
  TT_BLOCK_HEADER_BYTES,
  TT_CHANGE_BYTES,
  TT_VLAN_BYTES,
  type TtBlock,
  type TtChange,
} from './tt-block.ts';
import { TT_CLIENT_ROAM } from './tt-flags.ts';
import type { TtMessage } from './tt-unicast-codec.ts';

export interface TranslationTableOptions {
  /** This node's originator address. */
  self: number;
  /** Send roaming advertisements to a roaming client's old originator. @default false */
  roamingAdvertisement?: boolean;
  /** A local client not seen for this long is removed (batman-adv: 600 s). @default 600000 */
  localTimeoutMs?: number;
  /** ROAM/TEMP global entries not confirmed within this are removed (batman-adv: 600 s). @default 600000 */
  roamTimeoutMs?: number;
  /**
   * A TEMP entry (from a roaming advertisement) the new originator has not confirmed within
   * this is removed (ours; batman-adv keeps it 600 s). @default 3000
   */
  tempTimeoutMs?: number;
  /** A TT request unanswered for this long may be repeated (batman-adv: 3 s). @default 3000 */
  requestTimeoutMs?: number;
  /** TTL of our TT messages. @default 50 */
  ttl?: number;
}

export interface TranslationTableStats {
  requestsSent: number;
  responsesSent: number;
  fullTablesApplied: number;
  roamAdvsSent: number;
  roamAdvsReceived: number;
}

/** batman-adv's BATADV_ROAMING_MAX_COUNT within BATADV_ROAMING_MAX_TIME: at most this many advertisements per client. */
const ROAM_ADV_MAX = 5;
const ROAM_ADV_WINDOW_MS = 20_000;

export class TranslationTable {
  readonly local = new LocalTable();
  readonly global = new GlobalTable();
  readonly stats: TranslationTableStats = {
    requestsSent: 0,
    responsesSent: 0,
    fullTablesApplied: 0,
    roamAdvsSent: 0,
    roamAdvsReceived: 0,
  };
  readonly roamingAdvertisement: boolean;
  private readonly self: number;
  private readonly localTimeoutMs: number;
  private readonly roamTimeoutMs: number;
  private readonly tempTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly ttl: number;
  /** Originator → when we last asked it for its full table. */
  private readonly requested = new Map<number, number>();
  /** Client → advertisements sent in the current window. */
  private readonly roamAdvs = new Map<string, { since: number; count: number }>();
  /** Per client attached here since: the global entries its arrival made stale (orig → their TTVN then). */
  private readonly superseded = new Map<string, Map<number, number>>();

  constructor(o: TranslationTableOptions) {
    this.self = o.self;
    this.roamingAdvertisement = o.roamingAdvertisement ?? false;
    this.localTimeoutMs = o.localTimeoutMs ?? 600_000;
    this.roamTimeoutMs = o.roamTimeoutMs ?? 600_000;
    this.tempTimeoutMs = o.tempTimeoutMs ?? 3000;
    this.requestTimeoutMs = o.requestTimeoutMs ?? 3000;
    this.ttl = o.ttl ?? 50;
  }

  /** A client (re)associated here; returns the roaming advertisements to send. */
  clientAdded(mac: string, vid: number, now: number): TtMessage[] {
    if (!this.local.add(mac, vid, now)) return [];
    // What we knew of the client before it came here is older than its arrival: once it
    // leaves again, those entries would send frames back to where it was two roams ago.
    const stale = new Map<number, number>();
    for (const e of this.global.entriesOf(mac)) if (e.orig !== this.self) stale.set(e.orig, e.ttvn);
    if (stale.size > 0) this.superseded.set(mac, stale);
    else this.superseded.delete(mac);
    if (!this.roamingAdvertisement) return [];
    const out: TtMessage[] = [];
    for (const e of this.global.entriesOf(mac)) {
      if (e.orig === this.self || e.flags & TT_CLIENT_ROAM) continue;
      if (!this.mayAdvertise(mac, now)) break;
      this.stats.roamAdvsSent++;
      out.push({ kind: 'roam-adv', ttl: this.ttl, dst: e.orig, src: this.self, mac, vid });
    }
    return out;
  }

  /** A client left this node. False when it was not here. */
  clientRemoved(mac: string): boolean {
    return this.local.remove(mac, false);
  }

  /** Whether the client left this node since our last OGM (its removal not yet announced). */
  leftRecently(mac: string): boolean {
    return this.local.entry(mac) !== undefined && !this.local.active(mac);
  }

  clientSeen(mac: string, now: number): void {
    this.local.seen(mac, now);
  }

  /** Where frames for `mac` go: ourselves when it is attached here, else the best originator announcing it. */
  originatorOf(mac: string, routeTq: (orig: number) => number): number | undefined {
    if (this.local.active(mac)) return this.self;
    const stale = this.superseded.get(mac);
    if (!stale) return this.global.best(mac, routeTq)?.orig;
    // An entry counts again once its originator announces the client anew (a newer TTVN).
    return this.global.best(mac, routeTq, (e) => stale.get(e.orig) !== e.ttvn)?.orig;
  }

  /**
   * The TT block of our next OGM: commits the local changes (TTVN + 1 when there were any).
   * When the diff would not fit in `maxBytes` it is left out; receivers then see a TTVN step
   * with a CRC mismatch and ask for the full table, as in batman-adv.
   */
  ownBlock(maxBytes: number): TtBlock {
    const commit = this.local.commit();
    const vlans = this.local.crcs();
    let changes: TtChange[] = commit?.changes ?? [];
    const size =
      TT_BLOCK_HEADER_BYTES + TT_VLAN_BYTES * vlans.length + TT_CHANGE_BYTES * changes.length;
    if (size > maxBytes || changes.length > 0xffff) changes = [];
    return { ttvn: this.local.ttvn, vlans, changes };
  }

  /** About how many bytes our next OGM's TT block takes (VLAN count may still change). */
  nextBlockSize(): number {
    return (
      TT_BLOCK_HEADER_BYTES +
      TT_VLAN_BYTES * this.local.crcs().length +
      TT_CHANGE_BYTES * this.local.pendingChanges
    );
  }

  /** The TT block of a new OGM from `orig`; returns a TT request when our copy is out of step. */
  onOgmBlock(orig: number, block: TtBlock, now: number): TtMessage[] {
    if (orig === this.self) return [];
    if (this.global.applyOgm(orig, block, now) === 'ok') {
      this.requested.delete(orig);
      return [];
    }
    const last = this.requested.get(orig);
    if (last !== undefined && now - last < this.requestTimeoutMs) return [];
    this.requested.set(orig, now);
    this.stats.requestsSent++;
    const ttvn = this.global.originator(orig)?.ttvn ?? 0;
    return [{ kind: 'request', ttl: this.ttl, dst: orig, src: this.self, ttvn, full: true }];
  }

  /** A TT message addressed to us; returns the answer to send, if any. */
  onMessage(m: TtMessage, now: number): TtMessage[] {
    if (m.src === this.self) return [];
    switch (m.kind) {
      case 'request': {
        this.stats.responsesSent++;
        const entries = this.local.committed().map((e) => ({ mac: e.mac, vid: e.vid, flags: 0 }));
        return [
          {
            kind: 'response',
            ttl: this.ttl,
            dst: m.src,
            src: this.self,
            ttvn: this.local.ttvn,
            vlans: this.local.crcs(),
            entries,
          },
        ];
      }
      case 'response':
        if (this.global.applyFull(m.src, m.ttvn, m.vlans, m.entries, now)) {
          this.stats.fullTablesApplied++;
          this.requested.delete(m.src);
        }
        return [];
      case 'roam-adv':
        this.stats.roamAdvsReceived++;
        // The client went back to an originator we had written off: trust it again.
        this.superseded.get(m.mac)?.delete(m.src);
        this.local.remove(m.mac, true);
        this.global.addRoamed(m.mac, m.vid, m.src, now);
        return [];
    }
  }

  /** Removes silent local clients and unconfirmed roams; returns the local MACs purged. */
  purge(now: number): string[] {
    this.global.purgeTransit(now, this.roamTimeoutMs, this.tempTimeoutMs);
    for (const [mac, w] of this.roamAdvs)
      if (now - w.since >= ROAM_ADV_WINDOW_MS) this.roamAdvs.delete(mac);
    const purged = this.local.purge(now, this.localTimeoutMs);
    for (const mac of purged) this.superseded.delete(mac);
    return purged;
  }

  originatorGone(orig: number): void {
    this.global.removeOriginator(orig);
    this.requested.delete(orig);
  }

  /** Rate limit of batman-adv: a client flapping between two nodes must not flood the mesh with advertisements. */
  private mayAdvertise(mac: string, now: number): boolean {
    let w = this.roamAdvs.get(mac);
    if (!w || now - w.since >= ROAM_ADV_WINDOW_MS) {
      w = { since: now, count: 0 };
      this.roamAdvs.set(mac, w);
    }
    if (w.count >= ROAM_ADV_MAX) return false;
    w.count++;
    return true;
  }
}
