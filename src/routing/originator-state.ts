/**
 * The engine's view of one originator outside the per-copy path: its candidates, gateway and
 * purge bookkeeping. The state every copy reads (sequence numbers, router,
 * last seen) lives in its row of OriginatorRecords, so a copy need not touch this object; the
 * accessors below read and write that row, for the code that is not on the per-copy path.
 *
 * @example
 * const records = new OriginatorRecords();
 * const o = new OriginatorState(7, records.add(0), records, 0, 199_999);
 * o.router = 2; records.router(o.row); // 2
 */
import type { OriginatorRecords } from './originator-record.ts';

export class OriginatorState {
  lastReset = Number.NEGATIVE_INFINITY;
  /** Neighbour slots with a candidate, in the order first heard (scans and tables iterate this). */
  readonly candidates: number[] = [];
  /** Bandwidths of the newest announcement, when it announced a gateway. */
  gateway: { down: number; up: number } | undefined = undefined;
  /** The purge wheel's key it is filed under (-1 once purged). */
  wheelKey = -1;
  /** The purge pass that last looked at it (one look per pass). */
  purgePass = 0;

  constructor(
    readonly address: number,
    /** Its row in the candidate table and in the records. */
    readonly row: number,
    private readonly records: OriginatorRecords,
    /** Creation order: the originator table's order, which a purge's events follow. */
    readonly order: number,
    /** No candidate can expire before this (a lower bound: candidates are only heard later). */
    public expiryFrom: number,
  ) {}

  /** Neighbour slot of the best next hop, NO_ROUTER when none. */
  get router(): number {
    return this.records.router(this.row);
  }

  set router(slot: number) {
    this.records.setRouter(this.row, slot);
  }

  /** When the newest sequence number last advanced (the originator's liveness). */
  get lastSeqnoAt(): number {
    return this.records.lastSeqnoAt(this.row);
  }

  get lastSeen(): number {
    return this.records.lastSeen(this.row);
  }
}
