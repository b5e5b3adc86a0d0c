/**
 * The overview's headline counts, each saying what it counts. Nodes, gateways and WANs are
 * counted from every node ever heard (an offline node's last-known state included), but only
 * what online nodes report counts as working: a dead gateway's WANs are in `wans_total`, not in
 * `wans_up`, and `wans_on_offline_nodes` says how many of the missing ones are on dead nodes.
 *
 * @example
 * siteOverview(nodes); // { nodes_total: 24, nodes_online: 23, wans_total: 6, wans_up: 5, wans_on_offline_nodes: 1, ... }
 */
import type { NodeView } from './node-view.ts';

export interface SiteCounts {
  nodes_total: number;
  nodes_online: number;
  /** Online nodes whose state is older than the stale limit. */
  nodes_stale: number;
  /** Nodes whose last report (live or last-known) gives them the gateway role. */
  gateways: number;
  /** Online gateways announcing themselves now. */
  gateways_announcing: number;
  /** WAN uplinks (not the mesh) of every node, online or not. */
  wans_total: number;
  /** Up or degraded WANs of online nodes. */
  wans_up: number;
  /** WANs counted in `wans_total` whose node is offline (never counted as up). */
  wans_on_offline_nodes: number;
}

export function siteOverview(nodes: readonly NodeView[]): SiteCounts {
  const online = nodes.filter((n) => n.online);
  const uplinks = (n: NodeView) => (n.state?.wans ?? []).filter((w) => w.kind !== 'mesh');
  return {
    nodes_total: nodes.length,
    nodes_online: online.length,
    nodes_stale: online.filter((n) => n.state_freshness === 'stale').length,
    gateways: nodes.filter((n) => n.state?.role === 'gateway').length,
    gateways_announcing: online.filter((n) => n.state?.gateway.announcing).length,
    wans_total: nodes.reduce((sum, n) => sum + uplinks(n).length, 0),
    wans_up: online.reduce(
      (sum, n) => sum + uplinks(n).filter((w) => w.state === 'up' || w.state === 'degraded').length,
      0,
    ),
    wans_on_offline_nodes: nodes
      .filter((n) => !n.online)
      .reduce((sum, n) => sum + uplinks(n).length, 0),
  };
}
