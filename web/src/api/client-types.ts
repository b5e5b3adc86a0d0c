/**
 * The Wi-Fi clients as the dashboard reads them from the controller (issue 13, contract seam 4):
 * `GET /api/clients?q=`, `GET /api/clients/:mac`, `stations` of `GET /api/nodes/:node`, and the
 * live feed's `client` changes. Times are milliseconds since the epoch, as everywhere in the API.
 *
 * @example
 * const { clients } = await api.get<ClientList>('/api/clients?q=ee:01');
 */
import type { LiveChange } from './types.ts';

/** Where a client is now, or was last when `associated` is false. */
export interface ClientRecord {
  mac: string;
  /** The node (access point) it is associated to, or left last. */
  node: string;
  ssid: string;
  vlan: number | null;
  signal_dbm: number | null;
  /** When it (re)associated to `node`. */
  since: number;
  last_seen: number;
  /** How many roams the controller knows of. */
  roams: number;
  /** False once its AP no longer lists it; absent from older controllers (read as true). */
  associated?: boolean;
  /** How it last (re)associated: open, psk, sae, 8021x, ft-over-air, ft-over-ds. */
  method?: string | null;
  iface?: string | null;
}

/** One roam: from one AP to another, how, and the handoff gap. */
export interface ClientRoam {
  at: number;
  from: string;
  to: string;
  method: string | null;
  gap_ms: number | null;
  /** `node`: the new AP reported it; `controller`: derived from where the client showed up. */
  source?: 'node' | 'controller';
}

/** GET /api/clients */
export interface ClientList {
  clients: ClientRecord[];
}

/** GET /api/clients/:mac */
export interface ClientDetail {
  client: ClientRecord;
  history: ClientRoam[];
}

/** The live feed's change for a client that associated, roamed, left or moved its signal. */
export type ClientChange = Extract<LiveChange, { type: 'client' }>;

export function isClientChange(c: LiveChange): c is ClientChange {
  return c.type === 'client';
}

/** Event kinds the agents and the controller use for clients (the timeline's filter). */
export const CLIENT_EVENT_KINDS = ['client-associated', 'client-roamed', 'client-left'] as const;

export function isClientEventKind(kind: string): boolean {
  return (CLIENT_EVENT_KINDS as readonly string[]).includes(kind);
}
