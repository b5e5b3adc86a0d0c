/**
 * The JSON row shapes of batctl's `oj`, `nj` and `gwj` (field names as batctl prints them from
 * batman-adv's netlink attributes), so the agent reads one shape from the kernel and from us.
 * Optional `best` appears only when true, as in batctl.
 *
 * @example
 * const row: OriginatorJson = { hard_ifindex: 1, hard_ifname: 'mesh0',
 *   orig_address: '02:00:00:00:00:07', last_seen_msecs: 420,
 *   neigh_address: '02:00:00:00:00:03', tq: 201, best: true };
 */
import type { TtFlagsJson } from './translation-table/tt-flags.ts';

export interface OriginatorJson {
  hard_ifindex: number;
  hard_ifname: string;
  orig_address: string;
  last_seen_msecs: number;
  neigh_address: string;
  tq: number;
  best?: true;
}

export interface NeighbourJson {
  hard_ifindex: number;
  hard_ifname: string;
  last_seen_msecs: number;
  neigh_address: string;
}

export interface GatewayJson {
  orig_address: string;
  best?: true;
  tq: number;
  router: string;
  hard_ifname: string;
  /** In units of 100 kbit/s, as batman-adv reports it. */
  bandwidth_down: number;
  bandwidth_up: number;
}

/**
 * A row of `batctl tlj` (local translation table): a client attached to this node. `tt_crc32`
 * is the CRC of the client's VLAN in our table; `last_seen_msecs` how long ago it was last
 * heard from.
 */
export interface LocalClientJson {
  tt_address: string;
  tt_vid: number;
  tt_flags: TtFlagsJson;
  tt_crc32: number;
  last_seen_msecs: number;
}

/**
 * A row of `batctl tgj` (global translation table): a client and one originator announcing it.
 * `tt_ttvn` is the originator's version that added the entry, `tt_last_ttvn` the last version
 * of its table we applied, `tt_crc32` the CRC it announced for the client's VLAN; `best` marks
 * the originator frames for the client go to.
 */
export interface GlobalClientJson {
  tt_address: string;
  orig_address: string;
  tt_ttvn: number;
  tt_last_ttvn: number;
  tt_crc32: number;
  tt_vid: number;
  tt_flags: TtFlagsJson;
  best?: true;
}
