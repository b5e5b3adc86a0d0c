/**
 * How WANs map onto kernel objects: WAN i (0-based) gets routing table `tableBase + 1 + i` and
 * firewall mark `(i + 1) << 8` under mask 0xff00; the mesh default has its own table and mark,
 * and so has the `unreachable` last resort. Rule priorities sit below the main table's 32766.
 *
 * @example
 * const l = wanLayout([{ name: 'wan1', device: 'eth1', gateway: '192.0.2.1' }]);
 * l.wans[0]; // { name: 'wan1', device: 'eth1', gateway: '192.0.2.1', table: 101, mark: 0x100 }
 */
import { PlatformConfigError } from '../errors.ts';

export interface LinuxWan {
  name: string;
  device: string;
  /** The next hop upstream; unknown (a DHCP WAN without a lease) leaves the WAN unroutable. */
  gateway?: string | undefined;
  /** The WAN's own address, for source-bound probes and `from` rules. */
  sourceAddress?: string | undefined;
  /** Masquerade traffic leaving through this WAN. @default true */
  masquerade?: boolean | undefined;
}

export interface PlacedWan extends LinuxWan {
  table: number;
  mark: number;
}

export const MARK_MASK = 0xff00;
export const MESH_MARK = 0xfe00;
export const UNREACHABLE_MARK = 0xfd00;

export interface WanLayout {
  wans: PlacedWan[];
  meshTable: number;
  unreachableTable: number;
  /** ip rule priorities: marks, then source addresses, then bound devices. */
  prefBase: number;
}

export const ifname = /^[A-Za-z0-9_.@-]{1,15}$/;
export const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function wanLayout(wans: readonly LinuxWan[], tableBase = 100, prefBase = 1000): WanLayout {
  // No WAN is a mesh-only node: the mesh and unreachable tables are all it routes with.
  if (wans.length > 200) throw new PlatformConfigError(`need at most 200 WANs, got ${wans.length}`);
  const names = new Set<string>();
  wans.forEach((w, i) => {
    if (!/^[A-Za-z0-9_]{1,24}$/.test(w.name))
      throw new PlatformConfigError(`wans[${i}].name '${w.name}' must be [A-Za-z0-9_]{1,24}`);
    if (names.has(w.name))
      throw new PlatformConfigError(`wans[${i}].name '${w.name}' is used twice`);
    names.add(w.name);
    if (!ifname.test(w.device))
      throw new PlatformConfigError(`wans[${i}].device '${w.device}' is not an interface name`);
    for (const [k, v] of [
      ['gateway', w.gateway],
      ['sourceAddress', w.sourceAddress],
    ] as const) {
      if (v !== undefined && !ipv4.test(v))
        throw new PlatformConfigError(`wans[${i}].${k} '${v}' is not an IPv4 address`);
    }
  });
  return {
    wans: wans.map((w, i) => ({ ...w, table: tableBase + 1 + i, mark: (i + 1) << 8 })),
    meshTable: tableBase,
    unreachableTable: tableBase + 250,
    prefBase,
  };
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
