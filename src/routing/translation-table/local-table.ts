/**
 * The local translation table: clients attached to this node (batman-adv's `tt_local`).
 * Changes are collected between own OGMs: an added client is NEW and a removed one PENDING
 * until `commit`, which the engine calls when it builds its next OGM. A commit with changes
 * moves the TTVN by one and hands back the diff the OGM carries; the table's CRC only ever
 * describes committed entries, so it matches what the rest of the mesh can know.
 *
 * @example
 * const t = new LocalTable();
 * t.add('aa:bb:cc:dd:ee:01', 0, 1000);
 * t.commit(); // { ttvn: 1, changes: [{ mac: 'aa:bb:cc:dd:ee:01', vid: 0, flags: 0 }] }
 */
import type { TtChange } from './tt-block.ts';
import { type VlanCrc, vlanCrcs } from './tt-crc.ts';
import { TT_CLIENT_DEL, TT_CLIENT_NEW, TT_CLIENT_PENDING, TT_CLIENT_ROAM } from './tt-flags.ts';

export interface LocalEntry {
  mac: string;
  vid: number;
  /** TT_CLIENT_NEW until announced; TT_CLIENT_PENDING (+ ROAM) once removed, until announced. */
  flags: number;
  lastSeen: number;
}

export class LocalTable {
  /** The version the last commit produced (0: nothing announced yet). */
  ttvn = 0;
  private readonly entries = new Map<string, LocalEntry>();
  /** Changes since the last commit, one per client (a later change replaces an earlier one). */
  private readonly changes = new Map<string, TtChange>();
  private crcCache: VlanCrc[] | undefined = [];

  /** The entry of a client that is attached here now (not removed, not roamed away). */
  active(mac: string): LocalEntry | undefined {
    const e = this.entries.get(mac);
    return e && (e.flags & (TT_CLIENT_PENDING | TT_CLIENT_ROAM)) === 0 ? e : undefined;
  }

  /** Any entry, removed-but-unannounced ones included. */
  entry(mac: string): LocalEntry | undefined {
    return this.entries.get(mac);
  }

  get size(): number {
    return this.entries.size;
  }

  get hasChanges(): boolean {
    return this.changes.size > 0;
  }

  /** A client (re)associated here. Returns false when it already was (only refreshed). */
  add(mac: string, vid: number, now: number): boolean {
    const e = this.entries.get(mac);
    if (e && (e.flags & (TT_CLIENT_PENDING | TT_CLIENT_ROAM)) === 0 && e.vid === vid) {
      e.lastSeen = now;
      return false;
    }
    const pending = this.changes.get(mac);
    if (e && pending && pending.flags & TT_CLIENT_DEL && e.vid === vid) {
      // Left and came back before we said so: the two changes cancel, nobody needs to know.
      this.changes.delete(mac);
      e.flags &= ~(TT_CLIENT_PENDING | TT_CLIENT_ROAM);
      e.lastSeen = now;
      return true;
    }
    this.entries.set(mac, { mac, vid, flags: TT_CLIENT_NEW, lastSeen: now });
    this.changes.set(mac, { mac, vid, flags: 0 });
    return true;
  }

  /**
   * A client left (`roamed`: we learnt it went to another node). Returns false when it was
   * not here. An entry never announced goes at once; an announced one is PENDING until commit.
   */
  remove(mac: string, roamed: boolean): boolean {
    const e = this.entries.get(mac);
    if (!e) return false;
    const roamBit = roamed ? TT_CLIENT_ROAM : 0;
    if (e.flags & TT_CLIENT_PENDING) {
      // Already leaving; learning now that it roamed makes the DEL carry ROAM.
      if (roamed && (e.flags & TT_CLIENT_ROAM) === 0) {
        e.flags |= TT_CLIENT_ROAM;
        this.changes.set(mac, { mac, vid: e.vid, flags: TT_CLIENT_DEL | TT_CLIENT_ROAM });
      }
      return true;
    }
    if (e.flags & TT_CLIENT_NEW) {
      // Added and gone between two OGMs: the ADD is withdrawn, nothing was ever announced.
      this.entries.delete(mac);
      this.changes.delete(mac);
      return true;
    }
    e.flags |= TT_CLIENT_PENDING | roamBit;
    this.changes.set(mac, { mac, vid: e.vid, flags: TT_CLIENT_DEL | roamBit });
    return true;
  }

  /** Notes traffic from a client (it is alive). */
  seen(mac: string, now: number): void {
    const e = this.entries.get(mac);
    if (e) e.lastSeen = now;
  }

  /** Removes clients silent for longer than `timeoutMs`; returns their MACs. */
  purge(now: number, timeoutMs: number): string[] {
    const gone: string[] = [];
    for (const e of this.entries.values()) {
      if (e.flags & TT_CLIENT_PENDING) continue;
      if (now - e.lastSeen > timeoutMs) gone.push(e.mac);
    }
    for (const mac of gone) this.remove(mac, false);
    return gone;
  }

  /**
   * Applies the changes collected since the last commit: removed clients go, new ones become
   * announced, the TTVN moves by one (mod 256). Undefined when nothing changed.
   */
  commit(): { ttvn: number; changes: TtChange[] } | undefined {
    if (this.changes.size === 0) return undefined;
    const changes = [...this.changes.values()];
    this.changes.clear();
    for (const [mac, e] of this.entries) {
      if (e.flags & TT_CLIENT_PENDING) this.entries.delete(mac);
      else e.flags &= ~TT_CLIENT_NEW;
    }
    this.ttvn = (this.ttvn + 1) & 0xff;
    this.crcCache = undefined;
    return { ttvn: this.ttvn, changes };
  }

  /** Per-VLAN CRCs of the committed table (what TTVN describes). */
  crcs(): VlanCrc[] {
    this.crcCache ??= vlanCrcs(this.committed());
    return this.crcCache;
  }

  /** The entries as of the last commit (NEW excluded, PENDING still included). */
  committed(): LocalEntry[] {
    return [...this.entries.values()].filter((e) => (e.flags & TT_CLIENT_NEW) === 0);
  }

  all(): IterableIterator<LocalEntry> {
    return this.entries.values();
  }
}
