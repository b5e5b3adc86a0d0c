/**
 * The Wi-Fi clients as the controller's API serves them (GET /api/clients, /api/clients/:mac,
 * `stations` of GET /api/nodes/:node, `client` changes on /api/live). Free of Node and SQLite
 * types, so the dashboard can import these shapes. Times are milliseconds since the epoch, as
 * everywhere else in the API.
 */

/** Where a client is now (or was last, when `associated` is false). */
export interface ClientRecord {
  mac: string;
  /** The node (access point) it is associated to, or left last. */
  node: string;
  ssid: string;
  vlan: number | null;
  iface: string | null;
  signal_dbm: number | null;
  /** When it (re)associated to `node`. */
  since: number;
  /** The last report of it by `node`. */
  last_seen: number;
  /** How many roams the controller knows of. */
  roams: number;
  /** False once the node no longer lists it (it left, or went out of range). */
  associated: boolean;
  /** How it last (re)associated (open, psk, sae, 8021x, ft-over-air, ft-over-ds), if known. */
  method: string | null;
}

/** One roam of a client from an access point to another. */
export interface ClientRoam {
  at: number;
  from: string;
  to: string;
  method: string | null;
  gap_ms: number | null;
  /** `node`: the new AP said so (client-roamed); `controller`: derived from where it showed up. */
  source: 'node' | 'controller';
}
