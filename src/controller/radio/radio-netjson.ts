/**
 * Radio networks as a NetJSON NetworkGraph (protocol `meshlink`), from the gateways' latest
 * recursive scans: each node once (a node scanned by two gateways is one), each "hears" link
 * once, cost 1 per radio hop.
 *
 * @example
 * radioNetworkGraph(repo.graphs(), views); // { type: 'NetworkGraph', protocol: 'meshlink', ... }
 */
import type { RadioGraphRecord, RadioNodeView } from './radio-records.ts';

export interface RadioNetworkGraph {
  type: 'NetworkGraph';
  protocol: 'meshlink';
  version: string;
  metric: 'hop';
  label: string;
  router_id: string;
  nodes: { id: string; label: string; properties: Record<string, unknown> }[];
  links: { source: string; target: string; cost: number; properties: Record<string, unknown> }[];
}

export interface GraphPart {
  network: string;
  gateway: string;
  origin: number;
  nodes: number[];
  edges: [number, number][];
}

const id = (network: string, address: number, networks: number): string =>
  networks > 1 ? `${network}/${address}` : String(address);

export function radioNetworkGraph(
  parts: readonly (GraphPart | RadioGraphRecord)[],
  views: readonly RadioNodeView[],
): RadioNetworkGraph {
  const networks = new Set([...parts.map((p) => p.network), ...views.map((v) => v.network)]).size;
  const byKey = new Map(views.map((v) => [`${v.network}/${v.address}`, v]));
  const nodes = new Map<string, RadioNetworkGraph['nodes'][number]>();
  const links = new Map<string, RadioNetworkGraph['links'][number]>();
  const seenBy = new Map<string, Set<string>>();
  const addNode = (network: string, address: number) => {
    const key = id(network, address, networks);
    if (nodes.has(key)) return key;
    const v = byKey.get(`${network}/${address}`);
    const gatewayId = parts.find((p) => p.network === network && p.origin === address)?.gateway;
    nodes.set(key, {
      id: key,
      label: v?.label ?? (gatewayId ? `${address} (${gatewayId})` : String(address)),
      properties: {
        network,
        address,
        ...(gatewayId ? { gateway: gatewayId } : {}),
        ...(v
          ? {
              status: v.status,
              hops: v.hops,
              rtt_ms: v.rtt_ms,
              link_quality: v.link_quality,
              last_heard: v.last_heard,
              gateways: v.gateways,
            }
          : {}),
      },
    });
    return key;
  };
  for (const p of parts) {
    for (const a of p.nodes) addNode(p.network, a);
    for (const [a, b] of p.edges) {
      const s = addNode(p.network, a);
      const t = addNode(p.network, b);
      const key = `${s}|${t}`;
      if (!seenBy.has(key)) seenBy.set(key, new Set());
      seenBy.get(key)!.add(p.gateway);
      links.set(key, {
        source: s,
        target: t,
        cost: 1,
        properties: { network: p.network, scanned_by: [...seenBy.get(key)!].sort() },
      });
    }
  }
  for (const v of views) addNode(v.network, v.address);
  const origins = parts.map((p) => id(p.network, p.origin, networks));
  return {
    type: 'NetworkGraph',
    protocol: 'meshlink',
    version: '1',
    metric: 'hop',
    label: 'radio mesh',
    router_id: origins[0] ?? '',
    nodes: [...nodes.values()],
    links: [...links.values()],
  };
}
