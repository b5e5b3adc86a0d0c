/**
 * The global translation table: which originator announces which client (batman-adv's
 * `tt_global`), with each originator's last applied TTVN and its announced per-VLAN CRCs.
 * A diff is applied only on top of the version it follows; a gap in TTVN, or a table that no
 * longer matches the CRCs the originator announced, makes the originator's table
 * untrustworthy and the caller asks for a full copy (`applyOgm` returns 'request').
 *
 * A client announced by several originators (it just roamed, or sits behind two of them) has
 * one entry per originator; `best` picks among them. A removal flagged ROAM keeps the entry,
 * marked ROAM, so frames still reach the old node (which forwards them) until the new node's
 * announcement replaces it.
 *
 * @example
 * const g = new GlobalTable();
 * g.applyOgm(7, { ttvn: 1, vlans: [...], changes: [{ mac, vid: 0, flags: 0 }] }, now); // 'request' (never synced)
 * g.applyFull(7, 1, vlans, entries, now);
 * g.best(mac, (o) => tqTo(o)); // 7
 */
import type { TtBlock, TtChange } from './tt-block.ts';
import { sameCrcs, type VlanCrc, vlanCrcs } from './tt-crc.ts';
import { TT_CLIENT_DEL, TT_CLIENT_ROAM, TT_CLIENT_TEMP } from './tt-flags.ts';

export interface GlobalEntry {
  mac: string;
  vid: number;
  orig: number;
  /** TT_CLIENT_ROAM (left for another node, kept in transit), TT_CLIENT_TEMP (learnt from a roaming advertisement). */
  flags: number;
  /** The originator's TTVN that added the entry. */
  ttvn: number;
  /** When ROAM or TEMP was set, for the roaming timeout. */
  roamAt: number;
}

export interface OriginatorTt {
  orig: number;
  /** Whether our copy of its table is known to match a version it announced. */
  synced: boolean;
  /** The last TTVN applied (diff or full table). */
  ttvn: number;
  /** The CRCs it last announced. */
  crcs: VlanCrc[];
  clients: Map<string, GlobalEntry>;
}

export type ApplyResult = 'ok' | 'request';

/** Entries left in transit (ROAM, TEMP) do not count in an originator's CRC: it no longer, or not yet, announces them. */
const TRANSIT = TT_CLIENT_ROAM | TT_CLIENT_TEMP;

export class GlobalTable {
  private readonly origs = new Map<number, OriginatorTt>();
  private readonly byMac = new Map<string, Map<number, GlobalEntry>>();

  originator(orig: number): OriginatorTt | undefined {
    return this.origs.get(orig);
  }

  originators(): IterableIterator<OriginatorTt> {
    return this.origs.values();
  }

  entriesOf(mac: string): GlobalEntry[] {
    return [...(this.byMac.get(mac)?.values() ?? [])];
  }

  /**
   * Applies the TT block of a new OGM from `orig`. 'request' when our copy cannot be brought
   * to the announced version from what we have: never synced, a TTVN gap, or a CRC mismatch.
   */
  applyOgm(orig: number, b: TtBlock, now: number): ApplyResult {
    let o = this.origs.get(orig);
    if (!o) {
      o = { orig, synced: false, ttvn: b.ttvn, crcs: [], clients: new Map() };
      this.origs.set(orig, o);
      // An originator with no client announces no VLAN: our empty copy matches it already.
      if (b.vlans.length === 0 && b.changes.length === 0) {
        o.synced = true;
        return 'ok';
      }
      return 'request';
    }
    o.crcs = b.vlans;
    if (!o.synced) return 'request';
    const step = (b.ttvn - o.ttvn) & 0xff;
    if (step === 0) return this.consistent(o) ? 'ok' : this.unsync(o);
    if (step !== 1) return this.unsync(o);
    for (const c of b.changes) this.applyChange(o, c, b.ttvn, now);
    o.ttvn = b.ttvn;
    return this.consistent(o) ? 'ok' : this.unsync(o);
  }

  /**
   * Replaces `orig`'s table by a full copy (a TT response). Ignored (false) when it is older
   * than what we applied since, or does not match its own CRCs.
   */
  applyFull(
    orig: number,
    ttvn: number,
    crcs: VlanCrc[],
    entries: TtChange[],
    now: number,
  ): boolean {
    let o = this.origs.get(orig);
    if (o?.synced && ((ttvn - o.ttvn) & 0xff) >= 128) return false;
    if (!sameCrcs(vlanCrcs(entries), crcs)) return false;
    if (!o) {
      o = { orig, synced: false, ttvn, crcs, clients: new Map() };
      this.origs.set(orig, o);
    }
    for (const e of [...o.clients.values()]) if ((e.flags & TRANSIT) === 0) this.drop(o, e.mac);
    for (const e of entries) this.put(o, e.mac, e.vid, 0, ttvn, now);
    o.ttvn = ttvn;
    o.crcs = crcs;
    o.synced = true;
    return true;
  }

  /**
   * A roaming advertisement told us `mac` is now at `orig`: a TEMP entry (not counted in the
   * CRC) until `orig`'s own announcement confirms it.
   */
  addRoamed(mac: string, vid: number, orig: number, now: number): void {
    let o = this.origs.get(orig);
    if (!o) {
      o = { orig, synced: false, ttvn: 0, crcs: [], clients: new Map() };
      this.origs.set(orig, o);
    }
    if (o.clients.get(mac) && (o.clients.get(mac)!.flags & TRANSIT) === 0) return;
    this.put(o, mac, vid, TT_CLIENT_TEMP, o.ttvn, now);
  }

  /** The originator frames for `mac` go to: announced over in transit, then the best route. */
  best(
    mac: string,
    routeTq: (orig: number) => number,
    usable: (e: GlobalEntry) => boolean = () => true,
  ): GlobalEntry | undefined {
    const all = this.byMac.get(mac);
    if (!all) return undefined;
    let best: GlobalEntry | undefined;
    let bestRank = -1;
    for (const e of all.values()) {
      if (!usable(e)) continue;
      const tq = routeTq(e.orig);
      if (tq === 0) continue;
      // Announced entries first; then TEMP ones (a roaming advertisement not yet confirmed);
      // ROAM ones (the client left that node, which forwards) last.
      const rank = (e.flags & TT_CLIENT_ROAM ? 0 : e.flags & TT_CLIENT_TEMP ? 256 : 512) + tq;
      if (rank > bestRank || (rank === bestRank && best && e.orig < best.orig)) {
        best = e;
        bestRank = rank;
      }
    }
    return best;
  }

  /** Forgets an originator that was purged from the routing table. */
  removeOriginator(orig: number): void {
    const o = this.origs.get(orig);
    if (!o) return;
    for (const mac of [...o.clients.keys()]) this.drop(o, mac);
    this.origs.delete(orig);
  }

  /**
   * Removes ROAM entries older than `roamTimeoutMs` and TEMP ones older than `tempTimeoutMs`
   * (the new node should have announced the client within a few OGM intervals; if it never
   * did, the client left it again before its next OGM and the entry only misleads).
   */
  purgeTransit(now: number, roamTimeoutMs: number, tempTimeoutMs: number): void {
    for (const o of this.origs.values())
      for (const e of [...o.clients.values()]) {
        const timeout = e.flags & TT_CLIENT_TEMP ? tempTimeoutMs : roamTimeoutMs;
        if (e.flags & TRANSIT && now - e.roamAt > timeout) this.drop(o, e.mac);
      }
  }

  /** Whether `orig` is waiting for a full table. */
  needsSync(orig: number): boolean {
    return this.origs.get(orig)?.synced === false;
  }

  private unsync(o: OriginatorTt): ApplyResult {
    o.synced = false;
    return 'request';
  }

  private consistent(o: OriginatorTt): boolean {
    const counted: GlobalEntry[] = [];
    for (const e of o.clients.values()) if ((e.flags & TRANSIT) === 0) counted.push(e);
    return sameCrcs(vlanCrcs(counted), o.crcs);
  }

  private applyChange(o: OriginatorTt, c: TtChange, ttvn: number, now: number): void {
    if (c.flags & TT_CLIENT_DEL) {
      const e = o.clients.get(c.mac);
      if (!e) return;
      if (c.flags & TT_CLIENT_ROAM && this.byMac.get(c.mac)?.size === 1) {
        // It roamed, and we have not heard where yet: keep pointing at the old node, which
        // knows (roaming advertisement) and forwards, until the new node announces it.
        e.flags = TT_CLIENT_ROAM;
        e.roamAt = now;
      } else {
        this.drop(o, c.mac);
      }
      return;
    }
    // Announced by its new originator: the entries left in transit elsewhere are done.
    for (const other of this.entriesOf(c.mac)) {
      if (other.orig !== o.orig && other.flags & TT_CLIENT_ROAM)
        this.drop(this.origs.get(other.orig)!, c.mac);
    }
    this.put(o, c.mac, c.vid, 0, ttvn, now);
  }

  private put(
    o: OriginatorTt,
    mac: string,
    vid: number,
    flags: number,
    ttvn: number,
    now: number,
  ): void {
    const e: GlobalEntry = { mac, vid, orig: o.orig, flags, ttvn, roamAt: now };
    o.clients.set(mac, e);
    let m = this.byMac.get(mac);
    if (!m) {
      m = new Map();
      this.byMac.set(mac, m);
    }
    m.set(o.orig, e);
  }

  private drop(o: OriginatorTt, mac: string): void {
    o.clients.delete(mac);
    const m = this.byMac.get(mac);
    if (!m) return;
    m.delete(o.orig);
    if (m.size === 0) this.byMac.delete(mac);
  }
}
