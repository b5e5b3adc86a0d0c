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
