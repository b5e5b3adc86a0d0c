/**
 * The Wi-Fi clients as the dashboard reads them from the controller (issue 13, contract seam 4):
 * `GET /api/clients?q=`, `GET /api/clients/:mac`, `stations` of `GET /api/nodes/:node`, and the
 * live feed's `client` changes. Times are milliseconds since the epoch, as everywhere in the API.
 *
 * @example
 * const { clients } = await api.get<ClientList>('/api/clients?q=ee:01');
 */
import type { LiveChange } from './types.ts';

/** Where a client is now (or was last, `associated` false), and one roam of its history. */
export type { ClientRecord, ClientRoam } from '../../../src/controller/clients/client-records.ts';
import type { ClientRecord, ClientRoam } from '../../../src/controller/clients/client-records.ts';

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
