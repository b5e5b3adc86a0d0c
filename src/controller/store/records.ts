/**
 * The records the controller's store returns and its HTTP API serves, free of any Node or
 * SQLite type so the dashboard can import the very same shapes instead of a copy of them.
 *
 * @example
 * import type { Alert } from '../../../src/controller/store/records.ts';
 */
import type { MeshEvent } from '../../core/events.ts';
import type { NodeState } from '../../mqtt/messages.ts';

export type Severity = 'critical' | 'warning' | 'info';

/** A condition that needs an operator's eye; at most one open per key. */
export interface Alert {
  id: number;
  key: string;
  node: string;
  kind: string;
  subject: string;
  severity: Severity;
  message: string;
  opened_at: number;
  closed_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
}

/** A configuration push and its status as the node reports it. */
export interface ConfigPush {
  id: string;
  node: string;
  version: string;
  status: string;
  reason: string;
  requested_by: string;
  created_at: number;
  updated_at: number;
  config: unknown;
}

/** A node of the inventory with its latest state. */
export interface NodeRecord {
  node: string;
  site: string;
  first_seen: number;
  last_seen: number;
  online: boolean;
  state: NodeState | null;
  state_at: number | null;
}

/** An agent's decision as stored, with its row id. */
export interface StoredEvent extends MeshEvent {
  id: number;
}
