/**
 * Every decision a node takes is an event with a reason: logged, published over MQTT and shown
 * on the dashboard timeline. Nothing changes a route, a WAN or a gateway silently.
 *
 * @example
 * const e: MeshEvent = {
 *   at: 61_000, node: 'node-3', kind: 'wan-state', subject: 'wan',
 *   from: 'up', to: 'down', reason: '5 of 5 probes to 1.1.1.1 lost',
 * };
 */
export interface MeshEvent {
  /** Clock time of the decision, in milliseconds. */
  at: number;
  /** The node that decided. */
  node: string;
  /** What kind of decision: route-change, wan-state, gateway-select, unreachable, ... */
  kind: string;
  /** What it is about: an originator, a WAN name, a destination address. */
  subject: string;
  from: string | null;
  to: string | null;
  reason: string;
  /**
   * The client a `client-associated`, `client-roamed` or `client-left` event is about (`subject`
   * names it too), its SSID, how it (re)associated and, for a roam, the handoff gap.
   */
  mac?: string | undefined;
  ssid?: string | undefined;
  method?: string | undefined;
  gap_ms?: number | undefined;
}
