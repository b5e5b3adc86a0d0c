/**
 * Reads a running node's network state the way OpenWrt tools report it: netifd's interface
 * dump over ubus, and which devices fw4's loaded ruleset binds to each zone (from
 * `nft -j list chain inet fw4 input`, i.e. what the kernel enforces, not what fw4 meant to do).
 *
 * @example
 * const ifaces = await interfaceDump(node); // [{ interface: 'lan', up: true, l3_device: 'br-lan', ... }]
 * const zones = await zoneDevices(node);    // Map { 'lan' => ['br-lan'], 'wan' => ['wan'] }
 */
import type { OpenWrtNode } from './harness.ts';

export interface InterfaceStatus {
  interface: string;
  up: boolean;
  available?: boolean;
  proto: string;
  device?: string;
  l3_device?: string;
  metric?: number;
  'ipv4-address'?: { address: string; mask: number }[];
  route?: { target: string; mask: number; nexthop: string }[];
  errors?: { subsystem: string; code: string }[];
}

export async function interfaceDump(node: OpenWrtNode): Promise<InterfaceStatus[]> {
  return (await node.ubus<{ interface: InterfaceStatus[] }>('network.interface', 'dump')).interface;
}

/** The device a zone should bind for a network: the L3 device when up, else the configured one. */
export function deviceOf(status: InterfaceStatus): string | undefined {
  return status.l3_device ?? status.device;
}

interface NftRule {
  rule?: { expr?: NftExpr[] };
}
interface NftExpr {
  match?: { left?: { meta?: { key?: string } }; right?: unknown };
  jump?: { target?: string };
}

/** Zone name to the devices whose input fw4's loaded ruleset sends to `input_<zone>`, sorted. */
export async function zoneDevices(node: OpenWrtNode): Promise<Map<string, string[]>> {
  const { stdout } = await node.exec(['nft', '-j', 'list', 'chain', 'inet', 'fw4', 'input']);
  const zones = new Map<string, string[]>();
  for (const item of (JSON.parse(stdout) as { nftables: NftRule[] }).nftables) {
    const expr = item.rule?.expr ?? [];
    const zone = /^input_(.+)$/.exec(expr.find((e) => e.jump)?.jump?.target ?? '')?.[1];
    const right = expr.find((e) => e.match?.left?.meta?.key === 'iifname')?.match?.right;
    if (zone === undefined || right === undefined) continue;
    const devices = typeof right === 'string' ? [right] : ((right as { set?: string[] }).set ?? []);
    zones.set(zone, [...(zones.get(zone) ?? []), ...devices].sort());
  }
  return zones;
}
