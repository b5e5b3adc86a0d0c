/**
 * Which networking features the running kernel has, probed by trying them in a throw-away
 * namespace: the site test's expectations (what comes up, what stands in) hold for a kernel
 * without them, and it says so rather than passing silently on another kernel.
 *
 * @example
 * const k = await probeKernel(); // { vlan8021q: false, bridgeVlanFiltering: false, batman: false, wifi: false }
 */
import { existsSync } from 'node:fs';
import { Netns } from './netns.ts';

export interface KernelFeatures {
  vlan8021q: boolean;
  bridgeVlanFiltering: boolean;
  batman: boolean;
  wifi: boolean;
}

export async function probeKernel(): Promise<KernelFeatures> {
  const ns = await Netns.create('probe');
  try {
    const works = async (script: string) =>
      (await ns.exec(['sh', '-c', script], { allowFailure: true })).code === 0;
    return {
      vlan8021q: await works(
        'ip link add p0 type veth peer name p1 && ip link add link p0 name p0.5 type vlan id 5',
      ),
      bridgeVlanFiltering: await works('ip link add b0 type bridge vlan_filtering 1'),
      batman: await works('ip link add bat0 type batadv'),
      wifi: existsSync('/sys/class/ieee80211'),
    };
  } finally {
    await ns.destroy();
  }
}
