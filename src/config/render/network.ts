/**
 * `/etc/config/network` for one node (OpenWrt 23.05+, DSA): one VLAN-filtering bridge over the
 * switch ports and one 802.1Q device per VLAN on bat0, so every VLAN spans the mesh; the
 * batman-adv soft interface and its hard interfaces; an interface per VLAN; and the WANs
 * (DSA port or ModemManager modem), each with its own metric as mwan3 requires.
 *
 * @example
 * serializeUci(renderNetwork(nodeContext(site, 'gw1')));
 */
import { hostAddress, netmask, parseIpv4 } from '../ipv4.ts';
import { uciPackage, uciSection, type UciPackage, type UciSection } from '../uci/uci-model.ts';
import { batVlanDevice, meshInterface, type NodeContext } from './node-context.ts';

export function renderNetwork(ctx: NodeContext): UciPackage {
  const { site, node } = ctx;
  const sections: UciSection[] = [
    uciSection('interface', 'loopback', {
      device: 'lo',
      proto: 'static',
      ipaddr: '127.0.0.1',
      netmask: '255.0.0.0',
    }),
    uciSection('globals', 'globals', { packet_steering: '1' }),
  ];

  sections.push(
    uciSection('device', 'br_lan', {
      name: 'br-lan',
      type: 'bridge',
      ports: [...ctx.bridgedPorts, ...site.vlans.map(batVlanDevice)],
    }),
  );
  for (const v of site.vlans) {
    sections.push(
      uciSection('bridge-vlan', `vlan_${v.name}`, {
        device: 'br-lan',
        vlan: v.id,
        ports: [...(ctx.vlanPorts.get(v.name) ?? []), `${batVlanDevice(v)}:u*`],
      }),
    );
  }
  for (const v of site.vlans) {
    sections.push(
      uciSection('device', `bat0_${v.name}`, {
        name: batVlanDevice(v),
        type: '8021q',
        ifname: 'bat0',
        vid: v.id,
      }),
    );
  }

  const isGateway = node.role === 'gateway';
  const b = site.batman;
  sections.push(
    uciSection('interface', 'bat0', {
      proto: 'batadv',
      routing_algo: b.algorithm,
      gw_mode: isGateway ? 'server' : 'client',
      gw_bandwidth: isGateway ? (node.gatewayBandwidth ?? b.gatewayBandwidth) : undefined,
      gw_sel_class: isGateway ? undefined : b.gatewaySelectionClass,
      orig_interval: b.originatorIntervalMs,
      hop_penalty: b.hopPenalty,
      aggregated_ogms: true,
      bridge_loop_avoidance: true,
      distributed_arp_table: true,
      fragmentation: true,
      multicast_mode: true,
    }),
  );
  for (const band of node.meshRadios) {
    // 1536 leaves room for the batman-adv header so client frames of 1500 need no fragments.
    sections.push(
      uciSection('interface', meshInterface(band), {
        proto: 'batadv_hardif',
        master: 'bat0',
        mtu: 1536,
      }),
    );
  }
  for (const v of site.vlans) {
    if (!v.isolation) continue;
    // ap_isolation per VLAN keeps isolated clients apart across the mesh, not just per AP.
    sections.push(
      uciSection('interface', `bat_${v.name}`, {
        proto: 'batadv_vlan',
        device: batVlanDevice(v),
        ap_isolation: true,
      }),
    );
  }

  const firstGateway = site.nodes.find((n) => n.role === 'gateway');
  const management = site.vlans.find((v) => v.trusted) ?? site.vlans[0];
  for (const v of site.vlans) {
    const c = ctx.subnet(v);
    // A node without uplinks reaches the internet through a gateway on the management VLAN.
    const viaGateway = !isGateway && firstGateway && v === management;
    sections.push(
      uciSection('interface', v.name, {
        device: `br-lan.${v.id}`,
        proto: 'static',
        ipaddr: hostAddress(c, node.address),
        netmask: netmask(c),
        gateway: viaGateway ? hostAddress(c, firstGateway.address) : undefined,
        dns: viaGateway ? [hostAddress(c, firstGateway.address)] : undefined,
      }),
    );
  }

  node.wans.forEach((w, i) => {
    const metric = 10 * (i + 1);
    if (w.type === 'ethernet') {
      const [ip, prefix] = (w.address ?? '').split('/');
      const staticMask =
        prefix !== undefined && parseIpv4(ip ?? '') !== undefined
          ? netmask({ network: 0, prefix: Number(prefix) })
          : undefined;
      sections.push(
        uciSection('interface', w.name, {
          device: w.port,
          proto: w.proto,
          ipaddr: w.proto === 'static' ? ip : undefined,
          netmask: w.proto === 'static' ? staticMask : undefined,
          gateway: w.proto === 'static' ? w.gateway : undefined,
          dns: w.dns,
          peerdns: w.dns.length > 0 ? false : undefined,
          metric,
        }),
      );
    } else {
      sections.push(
        uciSection('interface', w.name, {
          proto: 'modemmanager',
          device: w.device,
          apn: w.apn,
          pincode: w.pin,
          allowedauth: w.auth === 'none' ? undefined : w.auth === 'both' ? 'pap chap' : w.auth,
          username: w.username,
          password: w.password,
          iptype: w.iptype,
          // ModemManager's syntax: one mode, or several joined by '|' with a preferred one.
          allowedmode: w.modes?.join('|'),
          preferredmode: w.preferredMode,
          metric,
        }),
      );
    }
  });
  return uciPackage(sections);
}
