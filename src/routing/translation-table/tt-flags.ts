/**
 * Translation-table client flags, numbered as batman-adv's `batadv_tt_client_flags`: bits 0..7
 * travel on the wire in a change, bits 8..15 are local bookkeeping. `ttFlagsJson` renders them
 * as batctl's `tlj`/`tgj` print `tt_flags`.
 *
 * @example
 * ttFlagsJson(TT_CLIENT_NEW).new; // true
 */

/** Change: the client left this originator. */
export const TT_CLIENT_DEL = 0x01;
/** The client roamed to another originator (kept for consistency until it is confirmed). */
export const TT_CLIENT_ROAM = 0x02;
export const TT_CLIENT_WIFI = 0x10;
export const TT_CLIENT_ISOLA = 0x20;
/** Never purged for silence. */
export const TT_CLIENT_NOPURGE = 0x100;
/** Added here, not yet announced: the next own OGM carries it. */
export const TT_CLIENT_NEW = 0x200;
/** Removed here, not yet announced: the next own OGM carries the DEL. */
export const TT_CLIENT_PENDING = 0x400;
/** Learnt from a roaming advertisement, not yet from the new originator's own announcement. */
export const TT_CLIENT_TEMP = 0x800;

/** Flags a change on the wire may carry. */
export const TT_WIRE_FLAGS = TT_CLIENT_DEL | TT_CLIENT_ROAM | TT_CLIENT_WIFI | TT_CLIENT_ISOLA;

export interface TtFlagsJson {
  del: boolean;
  roam: boolean;
  wifi: boolean;
  isolated: boolean;
  nopurge: boolean;
  new: boolean;
  pending: boolean;
  temp: boolean;
  raw: number;
}

export function ttFlagsJson(raw: number): TtFlagsJson {
  return {
    del: (raw & TT_CLIENT_DEL) !== 0,
    roam: (raw & TT_CLIENT_ROAM) !== 0,
    wifi: (raw & TT_CLIENT_WIFI) !== 0,
    isolated: (raw & TT_CLIENT_ISOLA) !== 0,
    nopurge: (raw & TT_CLIENT_NOPURGE) !== 0,
    new: (raw & TT_CLIENT_NEW) !== 0,
    pending: (raw & TT_CLIENT_PENDING) !== 0,
    temp: (raw & TT_CLIENT_TEMP) !== 0,
    raw,
  };
}
