/**
 * Who is on the other end of an MQTT connection, once authenticated: a node (which may speak only
 * for itself), the controller (which commands nodes), or a read-only viewer.
 *
 * @example
 * const p: Principal = { username: 'node-3', role: 'node', site: 'lab' };
 */
export type Role = 'node' | 'controller' | 'viewer' | 'radio-gateway';

export interface Principal {
  username: string;
  role: Role;
  /**
   * A node's site: it may publish and read only under `intelli-mesh/<site>/node/<username>/`.
   * Unset for the controller and viewers, and for a node only when neither its credentials nor
   * the broker name a site (library use; `intelli-mesh controller` always gives its own).
   */
  site?: string | undefined;
  /**
   * A radio gateway's meshlink network: it may publish only under
   * `intelli-mesh/<site>/radio/<network>/<username>/` (radio-topics.ts). Unset for other roles.
   */
  network?: string | undefined;
}
