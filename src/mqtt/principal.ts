/**
 * Who is on the other end of an MQTT connection, once authenticated: a node (which may speak only
 * for itself), the controller (which commands nodes), or a read-only viewer.
 *
 * @example
 * const p: Principal = { username: 'node-3', role: 'node' };
 */
export type Role = 'node' | 'controller' | 'viewer';

export interface Principal {
  username: string;
  role: Role;
}
