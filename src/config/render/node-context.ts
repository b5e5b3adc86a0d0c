/**
 * Facts about one node that several renderers share: its board, its LAN ports, which ports
 * carry which VLAN, its place among the gateways and its address in each VLAN.
 *
 * @example
 * const ctx = nodeContext(site, 'gw1');
 * ctx.vlanPorts.get('user'); // ['lan1:u*', 'lan4:t']
 */
import { boardOf, type Board } from '../board.ts';
import { UnknownNodeError } from '../errors.ts';
import { parseCidr, type Cidr } from '../ipv4.ts';
import type { Site, SiteNode, Ssid, Vlan } from '../site-schema.ts';

export interface NodeContext {
  site: Site;
  node: SiteNode;
  board: Board;
  /** LAN ports this node bridges, in board order. */
  lanPorts: string[];
  /** LAN ports that carry at least one VLAN; a bridge port in no VLAN would drop every frame. */
  bridgedPorts: string[];
  /** DSA bridge-vlan port entries per VLAN name, e.g. 'lan1:u*' or 'lan4:t'. */
  vlanPorts: Map<string, string[]>;
  /** Index of this node among the gateways (node order), or -1 when not a gateway. */
  gatewayIndex: number;
  gatewayCount: number;
  ssids: Ssid[];
  subnet(vlan: Vlan): Cidr;
}

export function nodeContext(site: Site, nodeId: string): NodeContext {
  const node = site.nodes.find((n) => n.id === nodeId);
  if (!node) throw new UnknownNodeError(nodeId);
  const board = boardOf(node.model);
  const wanPorts = new Set(node.wans.flatMap((w) => (w.type === 'ethernet' ? [w.port] : [])));
  const enabled = new Set(node.ports ?? board.lanPorts.filter((p) => !wanPorts.has(p)));
  const lanPorts = board.ports.filter((p) => enabled.has(p) && !wanPorts.has(p));
  const vlanPorts = new Map<string, string[]>();
  for (const v of site.vlans) {
    const entries: string[] = [];
    for (const spec of v.ports) {
      const [port = '', tag] = spec.split(':');
      if (!lanPorts.includes(port)) continue;
      // An untagged member is also the port's PVID, so untagged frames land in this VLAN.
      entries.push(tag === 't' ? `${port}:t` : `${port}:u*`);
    }
    vlanPorts.set(v.name, entries);
  }
  const carried = new Set([...vlanPorts.values()].flat().map((entry) => entry.split(':')[0]));
  const gateways = site.nodes.filter((n) => n.role === 'gateway');
  const wanted = node.ssids ? new Set(node.ssids) : undefined;
  return {
    site,
    node,
    board,
    lanPorts,
    bridgedPorts: lanPorts.filter((p) => carried.has(p)),
    vlanPorts,
    gatewayIndex: gateways.findIndex((g) => g.id === node.id),
    gatewayCount: gateways.length,
    ssids: site.ssids.filter((s) => !wanted || wanted.has(s.name)),
    subnet(vlan) {
      const c = parseCidr(vlan.subnet);
      // validateSite has already refused unparsable subnets.
      if (!c) throw new RangeError(`subnet ${vlan.subnet} of VLAN ${vlan.name} is invalid`);
      return c;
    },
  };
}

/** The 802.1Q device that carries a VLAN over the batman-adv mesh. */
export function batVlanDevice(vlan: Vlan): string {
  return `bat0.${vlan.id}`;
}

/** The mesh interface name for a band: the netifd interface the 802.11s iface joins. */
export function meshInterface(band: '2g' | '5g'): string {
  return `mesh_${band}`;
}
