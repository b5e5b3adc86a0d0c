/**
 * What the namespace test expects of one node of a site, derived from the site's intent (not
 * from the rendered files, which are what is under test): which netifd interfaces exist, which
 * come up on this kernel and which cannot and why, the hosts to wire around the node, the
 * plain-bridge stand-in for VLANs this kernel cannot build, and the reachability matrix the
 * firewall must enforce.
 *
 * @example
 * const plan = planNode(site, renderNode(site, 'gw-north'));
 * plan.interfaces.filter((i) => i.expect.up).map((i) => i.name); // ['loopback', 'fiber']
 */
import { formatIpv4, hostAddress, parseCidr, size } from '../../src/config/ipv4.ts';
import type { RenderedNode, Site } from '../../src/config/index.ts';
import { uciSection, type UciPackage, type UciSection } from '../../src/config/uci/uci-model.ts';

/** What this kernel and this build lack, each with the reason printed as "not tested here". */
export const gaps = {
  batman:
    'batman-adv: the kernel has no batman-adv, and netifd\'s proto handlers batadv, batadv_hardif and batadv_vlan come with OpenWrt packages not built here (netifd reports proto "none")',
  vlan: 'VLANs as rendered: the kernel has neither 802.1Q devices (br-lan.<vid>, bat0.<vid>) nor bridge VLAN filtering (bridge-vlan sections), so br-lan cannot be created',
  taggedPorts:
    'tagged bridge ports (lanN:t): a plain bridge carries one VLAN, and the kernel has no 802.1Q',
  modem:
    'ModemManager WANs: netifd\'s proto modemmanager handler is not built and there is no modem (netifd reports proto "none")',
  wifi: 'wireless: the kernel has no cfg80211/mac80211 (no radios, no mac80211_hwsim) and hostapd is not built',
  dnsmasq:
    'dhcp (dnsmasq): not built; LAN clients here use static addresses, the rendered file is only read by libuci',
  mwan3:
    'mwan3: not built (it needs iptables and ipset); multi-WAN policy is tested by the agent tests in namespaces',
  isolation:
    'client isolation inside one VLAN (isolation: true): Wi-Fi isolate and batman-adv ap_isolation, neither exists here',
  system:
    "system: base-files' /etc/init.d/system (hostname, timezone, NTP) is not staged; the file is only read by libuci",
  meshInternet:
    'internet access from this node: it has no WAN, its uplink is a gateway over batman-adv',
} as const;
export type GapId = keyof typeof gaps;

export type Expectation =
  | { up: true; device: string; address?: string }
  | { up: false; gap: GapId; errors: readonly string[] };

export interface ExpectedInterface {
  name: string;
  /** The proto the site asks for (what netifd would run on a router). */
  proto: string;
  /** On this kernel, as rendered. */
  expect: Expectation;
}

export interface WanPlan {
  name: string;
  /** The node's device, and the veth to the ISP. */
  port: string;
  proto: 'dhcp' | 'static';
  /** The ISP's subnet on the link and its own address (the router handed out). */
  ispSubnet: string;
  ispAddress: string;
  /** The node's address: static from the site, or in the ISP's DHCP pool (.100-.199). */
  address?: string;
  metric: number;
}

export interface VlanPlan {
  name: string;
  id: number;
  trusted: boolean;
  internet: boolean;
  forwardTo: string[];
  /** The node's address in the VLAN and the prefix length. */
  nodeAddress: string;
  prefix: number;
  /** A client of this VLAN: the last usable address of the subnet. */
  clientAddress: string;
  /** Stand-in: the plain bridge for this VLAN and the node's veth to the client. */
  bridge: string;
  clientDevice: string;
  untaggedPorts: string[];
  taggedPorts: string[];
}

export interface NodePlan {
  id: string;
  gateway: boolean;
  /** LAN ports the rendered bridge names (veths to a "switch" namespace). */
  lanPorts: string[];
  wans: WanPlan[];
  vlans: VlanPlan[];
  interfaces: ExpectedInterface[];
  /** Warnings netifd may log for the reason given; any other warning fails the test. */
  expectedLog: { pattern: RegExp; gap: GapId }[];
  notTested: { what: string; gap: GapId }[];
}

/** A short interface name from a VLAN: `prefix-name`, or `prefix-vlan<id>` when too long. */
function ifname(prefix: string, vlan: { name: string; id: number }): string {
  const byName = `${prefix}-${vlan.name}`;
  return Buffer.byteLength(byName) <= 15 ? byName : `${prefix}-vlan${vlan.id}`;
}

/** Ports of the rendered br-lan (switch ports only; the bat0.<vid> ports are batman-adv's). */
function bridgePorts(network: UciPackage): string[] {
  const br = network.sections.find(
    (s) => s.type === 'device' && s.options.get('name') === 'br-lan',
  );
  const ports = br?.options.get('ports') ?? [];
  return (Array.isArray(ports) ? ports : [ports]).filter((p) => !p.startsWith('bat0'));
}

export function planNode(site: Site, rendered: RenderedNode): NodePlan {
  const node = site.nodes.find((n) => n.id === rendered.nodeId);
  if (!node) throw new RangeError(`no node ${rendered.nodeId} in the site`);
  const gateway = node.role === 'gateway';
  const lanPorts = bridgePorts(rendered.configs.network);

  const vlans: VlanPlan[] = site.vlans.map((v) => {
    const c = parseCidr(v.subnet);
    if (!c) throw new RangeError(`VLAN ${v.name}: subnet ${v.subnet}`);
    const memberships = v.ports
      .map((p) => p.split(':') as [string, string | undefined])
      .filter(([port]) => lanPorts.includes(port));
    return {
      name: v.name,
      id: v.id,
      trusted: v.trusted ?? false,
      internet: v.internet ?? false,
      forwardTo: v.forwardTo ?? [],
      nodeAddress: hostAddress(c, node.address),
      prefix: c.prefix,
      clientAddress: formatIpv4(c.network + size(c) - 2),
      bridge: ifname('br', v),
      clientDevice: ifname('cl', v),
      untaggedPorts: memberships.filter(([, tag]) => tag !== 't').map(([p]) => p),
      taggedPorts: memberships.filter(([, tag]) => tag === 't').map(([p]) => p),
    };
  });

  const wans: WanPlan[] = [];
  const interfaces: ExpectedInterface[] = [
    {
      name: 'loopback',
      proto: 'static',
      expect: { up: true, device: 'lo', address: '127.0.0.1/8' },
    },
  ];
  const batman = (name: string, proto: string): ExpectedInterface => ({
    name,
    proto,
    expect: { up: false, gap: 'batman', errors: ['NO_DEVICE'] },
  });
  interfaces.push(batman('bat0', 'batadv'));
  for (const band of node.meshRadios) interfaces.push(batman(`mesh_${band}`, 'batadv_hardif'));
  for (const v of site.vlans) {
    if (v.isolation) interfaces.push(batman(`bat_${v.name}`, 'batadv_vlan'));
  }
  for (const v of site.vlans) {
    interfaces.push({
      name: v.name,
      proto: 'static',
      expect: { up: false, gap: 'vlan', errors: ['DEVICE_CLAIM_FAILED', 'NO_DEVICE'] },
    });
  }
  node.wans.forEach((w, i) => {
    const metric = 10 * (i + 1);
    if (w.type === 'modem') {
      interfaces.push({
        name: w.name,
        proto: 'modemmanager',
        expect: { up: false, gap: 'modem', errors: ['NO_DEVICE'] },
      });
      return;
    }
    const k = wans.length + 1;
    let plan: WanPlan;
    if (w.proto === 'static') {
      const [, prefix = '24'] = (w.address ?? '').split('/');
      plan = {
        name: w.name,
        port: w.port,
        proto: 'static',
        ispSubnet: `${w.gateway}/${prefix}`,
        ispAddress: w.gateway ?? '',
        address: w.address,
        metric,
      };
    } else {
      plan = {
        name: w.name,
        port: w.port,
        proto: 'dhcp',
        ispSubnet: `100.64.${k}.0/24`,
        ispAddress: `100.64.${k}.1`,
        metric,
      };
    }
    wans.push(plan);
    interfaces.push({
      name: w.name,
      proto: w.proto,
      expect: { up: true, device: w.port, ...(plan.address ? { address: plan.address } : {}) },
    });
  });

  const hasModem = node.wans.some((w) => w.type === 'modem');
  const expectedLog: NodePlan['expectedLog'] = [
    { pattern: /netifd: Wireless module not found/, gap: 'wifi' },
    ...(hasModem
      ? [
          // without the modemmanager handler, netifd takes the modem's sysfs path for a netdev
          {
            pattern:
              /netifd: Cannot set device name: '\/sys\/devices\/\S+' is longer than max size 15/,
            gap: 'modem' as const,
          },
          {
            pattern: /netifd: Failed to initalize device '\/sys\/devices\/\S+'/,
            gap: 'modem' as const,
          },
        ]
      : []),
  ];

  const named = (gap: GapId, names: string[]) => ({ what: names.join(', '), gap });
  const notTested: NodePlan['notTested'] = [
    named(
      'batman',
      interfaces
        .filter((i) => i.expect.up === false && i.expect.gap === 'batman')
        .map((i) => `${i.name} (${i.proto})`),
    ),
    named(
      'vlan',
      vlans.map((v) => `${v.name} on br-lan.${v.id}`),
    ),
  ];
  const tagged = vlans.filter((v) => v.taggedPorts.length > 0);
  if (tagged.length > 0) {
    notTested.push(
      named(
        'taggedPorts',
        tagged.map((v) => `${v.taggedPorts.join(' ')} in ${v.name}`),
      ),
    );
  }
  if (hasModem) {
    notTested.push(
      named(
        'modem',
        node.wans.filter((w) => w.type === 'modem').map((w) => w.name),
      ),
    );
  }
  notTested.push(
    named('wifi', ['/etc/config/wireless']),
    named('dnsmasq', ['/etc/config/dhcp']),
    named('mwan3', ['/etc/config/mwan3']),
    named('system', ['/etc/config/system']),
  );
  const isolated = site.vlans.filter((v) => v.isolation).map((v) => v.name);
  if (isolated.length > 0) notTested.push(named('isolation', isolated));
  if (!gateway || wans.length === 0) notTested.push(named('meshInternet', ['internet side']));

  return { id: node.id, gateway, lanPorts, wans, vlans, interfaces, expectedLog, notTested };
}

/**
 * The stand-in network for a kernel without 802.1Q and bridge VLAN filtering: each VLAN's
 * interface gets its own plain bridge (its untagged switch ports and a veth to a client)
 * instead of `br-lan.<vid>`; bridge-vlan sections, the 802.1Q devices and br-lan go. Every
 * other section (loopback, batman-adv, WANs) stays as rendered. Returns what it changed.
 */
export function standInNetwork(
  network: UciPackage,
  plan: NodePlan,
): { network: UciPackage; changes: string[] } {
  const changes: string[] = [];
  const sections: UciSection[] = [];
  const byName = new Map(plan.vlans.map((v) => [v.name, v]));
  for (const s of network.sections) {
    if (s.type === 'bridge-vlan' || (s.type === 'device' && s.options.get('type') === '8021q')) {
      continue;
    }
    if (s.type === 'device' && s.options.get('name') === 'br-lan') continue;
    const v = s.type === 'interface' && s.name !== undefined ? byName.get(s.name) : undefined;
    if (!v) {
      sections.push(s);
      continue;
    }
    sections.push(
      uciSection('device', `standin_${v.name}`, {
        name: v.bridge,
        type: 'bridge',
        ports: [...v.untaggedPorts, v.clientDevice],
      }),
    );
    const options = new Map(s.options);
    const was = options.get('device');
    options.set('device', v.bridge);
    sections.push({ ...s, options });
    const tagged = v.taggedPorts.length > 0 ? `; tagged ${v.taggedPorts.join(' ')} left out` : '';
    changes.push(
      `${v.name}: ${String(was)} -> plain bridge ${v.bridge} (ports ${[...v.untaggedPorts, v.clientDevice].join(' ')}${tagged})`,
    );
  }
  changes.push('removed: bridge-vlan sections, the bat0.<vid> 802.1Q devices and br-lan');
  return { network: { sections }, changes };
}

export interface Probe {
  /** The VLAN whose client sends. */
  from: string;
  to: string;
  kind: 'ping' | 'tcp';
  port?: number;
  expect: boolean;
  /** The site's rule that decides it. */
  why: string;
}

/** The internet host behind every ISP. */
export const internetAddress = '198.51.100.1';
/** Ports the node listens on during the probes: DNS (allowed from every VLAN) and another. */
export const dnsPort = 53;
export const otherPort = 8022;

/**
 * Every probe the site's intent decides, per client VLAN: the node itself (only a trusted VLAN
 * reaches it beyond DHCP/DNS), the node's and a client's address on every other VLAN (only
 * VLANs in `forwardTo`), and the internet (only with `internet: true`, on a node with a WAN).
 */
export function reachability(plan: NodePlan): Probe[] {
  const probes: Probe[] = [];
  for (const s of plan.vlans) {
    probes.push(
      {
        from: s.name,
        to: s.nodeAddress,
        kind: 'ping',
        expect: s.trusted,
        why: s.trusted ? 'trusted: input accepted' : 'untrusted: input rejected',
      },
      {
        from: s.name,
        to: s.nodeAddress,
        kind: 'tcp',
        port: dnsPort,
        expect: true,
        why: s.trusted ? 'trusted: input accepted' : `Allow-${s.name}-DNS`,
      },
      {
        from: s.name,
        to: s.nodeAddress,
        kind: 'tcp',
        port: otherPort,
        expect: s.trusted,
        why: s.trusted ? 'trusted: input accepted' : 'untrusted: input rejected',
      },
    );
    for (const t of plan.vlans) {
      if (t === s) continue;
      const forwarded = s.forwardTo.includes(t.name);
      probes.push({
        from: s.name,
        to: t.clientAddress,
        kind: 'ping',
        expect: forwarded,
        why: forwarded ? `forwardTo ${t.name}` : `${t.name} not in forwardTo`,
      });
      if (t.trusted) {
        probes.push({
          from: s.name,
          to: t.nodeAddress,
          kind: 'ping',
          expect: s.trusted,
          why: s.trusted ? 'trusted: input accepted' : 'untrusted: input rejected',
        });
      }
    }
    if (plan.wans.length > 0) {
      probes.push({
        from: s.name,
        to: internetAddress,
        kind: 'ping',
        expect: s.internet,
        why: s.internet ? 'internet: true' : 'internet: false',
      });
    }
  }
  return probes;
}
