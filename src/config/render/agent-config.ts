/**
 * The agent's own configuration for a node (`/etc/intelli-mesh/agent.json`), in the format the
 * agent reads (`intelli-mesh agent --config`), so the router runs from what was rendered: who the
 * node is, `platform: openwrt`, its VLAN interfaces as LAN zones, each WAN with the netifd
 * interface behind it (netifd reports the lease's gateway and address at run time) and the
 * thresholds it shares with mwan3, this node's part of the multi-WAN policy, and the controller
 * it reports to with its own credentials (a password file beside the config, and the broker's CA
 * when the URL is `mqtts://` or `wss://` and one was given).
 *
 * @example
 * JSON.stringify(renderAgentConfig(nodeContext(site, 'gw1'), { withCa: true }), null, 2);
 */
import { agentOf, trackOf, type Site, type SiteNode, type Wan } from '../site-schema.ts';
import { AGENT_CA_FILE, AGENT_PASSWORD_FILE } from './agent-service.ts';
import type { NodeContext } from './node-context.ts';

export interface RenderedTracker {
  targets: string[];
  reliability: number;
  count: number;
  timeoutMs: number;
  intervalMs: number;
  failureIntervalMs: number;
  recoveryIntervalMs: number;
  down: number;
  up: number;
}

export interface RenderedWan {
  name: string;
  kind: 'ethernet' | 'modem';
  /** Where the uplink starts; netifd's `l3_device` replaces it (PPPoE, a modem's wwan). */
  device: string;
  netifd: string;
  gateway?: string;
  sourceAddress?: string;
  bandwidthDownKbit: number;
  bandwidthUpKbit: number;
  track: RenderedTracker;
}

export interface AgentConfig {
  node: string;
  platform: 'openwrt';
  role: 'gateway' | 'mesh';
  address: number;
  logLevel: string;
  meshIf: 'bat0';
  gatewayPollMs: number;
  gwSelClass: number | 'fast' | 'stable' | 'fast-switch';
  restartAfterFailedCycles: number;
  lanDevices: string[];
  zones: Record<string, string[]>;
  wans: RenderedWan[];
  policy: {
    members: { name: string; wan: string; metric: number; weight: number }[];
    policies: { name: string; members: string[]; lastResort: string }[];
    rules: Record<string, unknown>[];
  };
  mqtt: {
    url: string;
    site: string;
    username: string;
    passwordFile: string;
    tls?: { ca: string };
    metricsIntervalMs: number;
  };
}

export interface AgentRenderOptions {
  /** A CA file will be installed beside the config (`config render --ca`). */
  withCa?: boolean;
}

/**
 * A WAN that stays down this many probe cycles is restarted through netifd (DHCP, PPPoE and the
 * modem's bearer are brought up again), then with doubling backoff.
 */
export const RESTART_STUCK_WAN_AFTER_CYCLES = 5;

/** The VLAN interface device a node's LAN segment is routed on (see render/network.ts). */
export function vlanDevice(vlanId: number): string {
  return `br-lan.${vlanId}`;
}

/** batman-adv's `gw_bandwidth` syntax (`100mbit/20mbit`, `10000`, `5mbit`) in kbit/s. */
export function parseGwBandwidth(text: string): { downKbit: number; upKbit: number } {
  const kbit = (part: string) => {
    const m = /^(\d+)(kbit|mbit)?$/i.exec(part)!;
    return Number(m[1]) * (m[2]?.toLowerCase() === 'mbit' ? 1000 : 1);
  };
  const [down = '0', up] = text.split('/');
  const downKbit = kbit(down);
  // batman-adv assumes a fifth of the download when no upload is given.
  return { downKbit, upKbit: up === undefined ? Math.round(downKbit / 5) : kbit(up) };
}

function tracker(site: Site, w: Wan): RenderedTracker {
  const t = trackOf(site, w);
  return {
    targets: t.targets,
    reliability: t.reliability,
    count: t.count,
    timeoutMs: t.timeout * 1000,
    intervalMs: t.interval * 1000,
    failureIntervalMs: t.failureInterval * 1000,
    recoveryIntervalMs: t.recoveryInterval * 1000,
    down: t.down,
    up: t.up,
  };
}

function wans(site: Site, node: SiteNode): RenderedWan[] {
  const total = parseGwBandwidth(node.gatewayBandwidth ?? site.batman.gatewayBandwidth);
  // The node's announced bandwidth is shared by its WANs: losing one announces less.
  const share = (kbit: number) => Math.floor(kbit / Math.max(1, node.wans.length));
  return node.wans.map((w) => {
    const base = {
      name: w.name,
      kind: w.type,
      // ModemManager's data port; netifd names the real one once the bearer is up.
      device: w.type === 'modem' ? 'wwan0' : w.port,
      netifd: w.name,
      bandwidthDownKbit: share(total.downKbit),
      bandwidthUpKbit: share(total.upKbit),
      track: tracker(site, w),
    };
    if (w.type === 'modem') return base;
    return {
      ...base,
      ...(w.proto === 'static' && w.gateway ? { gateway: w.gateway } : {}),
      ...(w.proto === 'static' && w.address ? { sourceAddress: w.address.split('/')[0]! } : {}),
    };
  });
}

/** This node's part of the site's policy: its own members, the policies they leave, their rules. */
function policy(site: Site, node: SiteNode): AgentConfig['policy'] {
  const mine = new Set(node.wans.map((w) => w.name));
  const members = site.multiwan.members
    .filter((m) => mine.has(m.wan))
    .map((m) => ({ name: m.name, wan: m.wan, metric: m.metric, weight: m.weight }));
  const memberNames = new Set(members.map((m) => m.name));
  const policies = site.multiwan.policies
    .map((p) => ({
      name: p.name,
      members: p.members.filter((m) => memberNames.has(m)),
      lastResort: p.lastResort,
    }))
    // A policy none of whose members is on this node is not this node's to enforce.
    .filter((p) => p.members.length > 0);
  const policyNames = new Set(policies.map((p) => p.name));
  const rules = site.multiwan.rules
    .filter((r) => policyNames.has(r.policy))
    .map((r) => ({
      name: r.name,
      ...(r.srcIp !== undefined ? { srcIp: r.srcIp } : {}),
      ...(r.destIp !== undefined ? { destIp: r.destIp } : {}),
      proto: r.proto,
      // validateSite admits only single destination ports (the agent matches one per rule).
      ...(r.destPort !== undefined ? { destPort: Number(r.destPort) } : {}),
      sticky: r.sticky,
      ...(r.timeout !== undefined ? { timeoutMs: r.timeout * 1000 } : {}),
      policy: r.policy,
    }));
  return { members, policies, rules };
}

/** The agent names batman-adv's first three selection classes. */
function selClassName(c: number): AgentConfig['gwSelClass'] {
  return c === 1 ? 'fast' : c === 2 ? 'stable' : c === 3 ? 'fast-switch' : c;
}

export function renderAgentConfig(ctx: NodeContext, o: AgentRenderOptions = {}): AgentConfig {
  const { site, node } = ctx;
  const agent = agentOf(site, node);
  const secure = /^(mqtts|wss):/.test(agent.broker);
  return {
    node: node.id,
    platform: 'openwrt',
    role: node.role,
    address: node.address,
    logLevel: agent.logLevel,
    meshIf: 'bat0',
    gatewayPollMs: agent.probeIntervalS * 1000,
    gwSelClass: selClassName(site.batman.gatewaySelectionClass),
    restartAfterFailedCycles: RESTART_STUCK_WAN_AFTER_CYCLES,
    lanDevices: site.vlans.map((v) => vlanDevice(v.id)),
    zones: Object.fromEntries(site.vlans.map((v) => [v.name, [vlanDevice(v.id)]])),
    wans: wans(site, node),
    policy: policy(site, node),
    mqtt: {
      url: agent.broker,
      site: site.name,
      username: node.id,
      passwordFile: AGENT_PASSWORD_FILE,
      ...(secure && o.withCa ? { tls: { ca: AGENT_CA_FILE } } : {}),
      metricsIntervalMs: agent.reportIntervalS * 1000,
    },
  };
}
