/**
 * `/etc/config/dhcp`: dnsmasq, and a pool per VLAN on gateways only. batman-adv's gateway
 * mode hands each client's DHCP request to the best gateway, so gateways split each VLAN's
 * pool into disjoint slices and answer with themselves as router; other nodes stay silent.
 *
 * @example
 * serializeUci(renderDhcp(nodeContext(site, 'gw1')));
 */
import { uciPackage, uciSection, type UciPackage, type UciSection } from '../uci/uci-model.ts';
import type { NodeContext } from './node-context.ts';

export function renderDhcp(ctx: NodeContext): UciPackage {
  const { site, node } = ctx;
  const sections: UciSection[] = [
    uciSection('dnsmasq', undefined, {
      domainneeded: true,
      localise_queries: true,
      rebind_protection: true,
      rebind_localhost: true,
      local: `/${site.name}/`,
      domain: site.name,
      expandhosts: true,
      authoritative: true,
      readethers: true,
      leasefile: '/tmp/dhcp.leases',
      resolvfile: '/tmp/resolv.conf.d/resolv.conf.auto',
      localservice: true,
    }),
  ];
  for (const v of site.vlans) {
    const serves = v.dhcp.enabled && ctx.gatewayIndex >= 0;
    if (!serves) {
      sections.push(uciSection('dhcp', v.name, { interface: v.name, ignore: true }));
      continue;
    }
    const slice = Math.floor(v.dhcp.limit / ctx.gatewayCount);
    sections.push(
      uciSection('dhcp', v.name, {
        interface: v.name,
        start: v.dhcp.start + ctx.gatewayIndex * slice,
        limit: slice,
        leasetime: v.dhcp.leaseTime,
        // Other gateways answer on the same segment by design; skip dnsmasq's rival check.
        force: ctx.gatewayCount > 1 ? true : undefined,
      }),
    );
  }
  for (const w of node.wans) {
    sections.push(uciSection('dhcp', w.name, { interface: w.name, ignore: true }));
  }
  sections.push(
    uciSection('odhcpd', 'odhcpd', {
      maindhcp: false,
      leasefile: '/tmp/hosts/odhcpd',
      leasetrigger: '/usr/sbin/odhcpd-update',
      loglevel: 4,
    }),
  );
  return uciPackage(sections);
}
