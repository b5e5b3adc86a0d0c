/**
 * `/etc/config/firewall` (fw4): a zone per VLAN, a masquerading WAN zone on gateways,
 * forwardings for internet access and allowed VLAN-to-VLAN paths, and, for untrusted VLANs
 * (guest, IoT), a closed router with only DHCP and DNS let in.
 *
 * @example
 * serializeUci(renderFirewall(nodeContext(site, 'gw1')));
 */
import { uciPackage, uciSection, type UciPackage, type UciSection } from '../uci/uci-model.ts';
import type { NodeContext } from './node-context.ts';

export function renderFirewall(ctx: NodeContext): UciPackage {
  const { site, node } = ctx;
  const hasWan = node.wans.length > 0;
  const sections: UciSection[] = [
    uciSection('defaults', undefined, {
      syn_flood: true,
      input: 'REJECT',
      output: 'ACCEPT',
      forward: 'REJECT',
    }),
  ];
  for (const v of site.vlans) {
    sections.push(
      uciSection('zone', `zone_${v.name}`, {
        name: v.name,
        network: [v.name],
        input: v.trusted ? 'ACCEPT' : 'REJECT',
        output: 'ACCEPT',
        forward: 'REJECT',
      }),
    );
  }
  if (hasWan) {
    sections.push(
      uciSection('zone', 'zone_wan', {
        name: 'wan',
        network: node.wans.map((w) => w.name),
        input: 'REJECT',
        output: 'ACCEPT',
        forward: 'REJECT',
        masq: true,
        mtu_fix: true,
      }),
    );
  }
  for (const v of site.vlans) {
    if (hasWan && v.internet) {
      sections.push(uciSection('forwarding', undefined, { src: v.name, dest: 'wan' }));
    }
    for (const target of v.forwardTo) {
      // Anonymous, as in OpenWrt's defaults: a name built from two names could be ambiguous.
      sections.push(uciSection('forwarding', undefined, { src: v.name, dest: target }));
    }
  }
  for (const v of site.vlans) {
    if (v.trusted) continue;
    sections.push(
      uciSection('rule', `${v.name}_dhcp`, {
        name: `Allow-${v.name}-DHCP`,
        src: v.name,
        proto: 'udp',
        dest_port: '67-68',
        target: 'ACCEPT',
        family: 'ipv4',
      }),
      uciSection('rule', `${v.name}_dns`, {
        name: `Allow-${v.name}-DNS`,
        src: v.name,
        proto: ['tcp', 'udp'],
        dest_port: 53,
        target: 'ACCEPT',
      }),
    );
  }
  if (hasWan) {
    sections.push(
      uciSection('rule', 'wan_dhcp_renew', {
        name: 'Allow-DHCP-Renew',
        src: 'wan',
        proto: 'udp',
        dest_port: 68,
        target: 'ACCEPT',
        family: 'ipv4',
      }),
      uciSection('rule', 'wan_ping', {
        name: 'Allow-Ping',
        src: 'wan',
        proto: 'icmp',
        icmp_type: 'echo-request',
        family: 'ipv4',
        target: 'ACCEPT',
      }),
    );
  }
  return uciPackage(sections);
}
