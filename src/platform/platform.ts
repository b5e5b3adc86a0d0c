/**
 * The one interface a node agent acts through, whatever it runs on: the simulator's nodes, a
 * Linux host (ip rule/route, nftables, conntrack), or OpenWrt (uci/ubus/batctl). The agent's
 * cores decide; a platform only carries decisions out and reports what it sees.
 *
 * @example
 * await platform.setup();
 * await platform.applyRouting({ rules: [{ name: 'default', match: {}, target: { kind: 'wans', shares: [{ wan: 'wan1', weight: 1 }] } }], meshGateway: null });
 * const moved = await platform.flushConntrack('wan2');
 * const r = await platform.probe({ probeId: 'wan1#0', wan: 'wan1', target: '198.51.100.1', method: 'icmp', timeoutMs: 200 });
 * await platform.close(); // removes everything it installed
 */
import type { ProbeRequest, ProbeResult } from '../agent/health/wan-tracker.ts';
import type { Announcement } from '../agent/policy/gateway-announce.ts';
import type { GatewayCandidate } from '../agent/policy/gateway-select.ts';

/** How one policy rule's new connections are matched (absent fields match anything). */
export interface PlanMatch {
  /** Ingress interfaces (a zone or VLAN maps to its devices). */
  iif?: string[] | undefined;
  srcIp?: string | undefined;
  destIp?: string | undefined;
  proto?: 'tcp' | 'udp' | 'icmp' | undefined;
  destPort?: number | undefined;
}

export type PlanTarget =
  | { kind: 'wans'; shares: { wan: string; weight: number }[] }
  | { kind: 'mesh' }
  | { kind: 'unreachable' | 'blackhole' | 'default' };

export interface PlanRule {
  name: string;
  match: PlanMatch;
  /** Keep a source on its WAN for this long after its last new connection. */
  stickyTimeoutMs?: number | undefined;
  target: PlanTarget;
}

/** The desired routing state: rules in order, and the mesh gateway `mesh` targets use. */
export interface RoutingPlan {
  rules: PlanRule[];
  meshGateway: { via: string; device: string } | null;
  /**
   * WANs that are still usable: connections already established on them stay there even when
   * no rule sends new connections that way (as in mwan3), so a fail-back does not break them.
   * Connections on any other WAN are re-balanced (and must be flushed to lose their NAT binding).
   */
  keepWans?: string[] | undefined;
  /**
   * Where the node's own connections to the internet go (its MQTT session, DNS, NTP): a WAN, or
   * the mesh gateway. Absent or null leaves them to the main routing table.
   */
  local?: LocalRoute | null | undefined;
}

export type LocalRoute = { kind: 'wan'; wan: string } | { kind: 'mesh' };

export interface InterfaceInfo {
  name: string;
  /** Administratively up. */
  up: boolean;
  /** Carrier present (LOWER_UP). */
  carrier: boolean;
  addresses: string[];
}

export interface LinkChange {
  device: string;
  carrier: boolean;
}

/** Bytes a device has received and sent since it appeared. */
export interface DeviceCounters {
  rxBytes: number;
  txBytes: number;
}

/** A direct mesh neighbour with the link quality the mesh measures to it. */
export interface MeshNeighbour {
  node: string;
  tq: number;
  lastSeenMs: number;
}

/**
 * What a platform whose mesh routing runs outside the agent (kernel batman-adv on OpenWrt) can
 * tell about that mesh; the simulator's nodes get the same from their engine directly.
 */
export interface MeshView {
  /** How often the tables are worth reading again. */
  readonly pollMs: number;
  /** The gateways the mesh knows, as candidates for the agent's gateway selection. */
  readGateways(): Promise<GatewayCandidate[]>;
  readNeighbours(): Promise<MeshNeighbour[]>;
}

/** A Wi-Fi station associated to one of this node's access points, as the platform sees it. */
export interface PlatformStation {
  /** Lower-case `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  ssid: string;
  /** The AP interface (hostapd's BSS), e.g. `wlan0`. */
  iface?: string | undefined;
  vlan?: number | undefined;
  /** Last signal from the station; null when the driver gives none. */
  signalDbm: number | null;
  /**
   * When it (re)associated, where the platform knows it (the simulator does; hostapd's
   * get_clients does not say, and the agent then counts from when it first listed it).
   */
  since?: number | undefined;
  auth?: 'open' | 'psk' | 'sae' | '8021x' | undefined;
  /** Whether this association was an 802.11r fast transition, and which kind. */
  ft?: false | 'over-air' | 'over-ds' | undefined;
}

export interface Platform {
  readonly kind: 'sim' | 'linux' | 'openwrt';
  /** Present where the mesh's routing tables are read from the system. */
  readonly mesh?: MeshView | undefined;
  /** Installs per-WAN tables, rules and firewall scaffolding; idempotent. */
  setup(): Promise<void>;
  /** Replaces the routing state with `plan` (atomically where the platform can). */
  applyRouting(plan: RoutingPlan): Promise<void>;
  /** Drops the tracked connections that use `wan`, so they re-route; returns how many. */
  flushConntrack(wan: string): Promise<number>;
  /** Starts or stops announcing this node as a mesh gateway. */
  setGatewayAnnouncement(announcement: Announcement): Promise<void>;
  readInterfaces(): Promise<InterfaceInfo[]>;
  /** Runs one health probe out of `request.wan`; never rejects for a network failure. */
  probe(request: ProbeRequest): Promise<ProbeResult>;
  /** Takes the WAN's interface down and up again: the self-healing restart of a stuck uplink. */
  restartInterface(wan: string): Promise<void>;
  /** Reports carrier changes of the WAN devices; returns the unsubscribe function. */
  watchLinks(listener: (change: LinkChange) => void): () => void;
  /** Byte counters of these devices; a device that is missing is left out. */
  readCounters?(devices: string[]): Promise<Map<string, DeviceCounters>>;
  /**
   * The stations associated to the node's access points now; absent where the node has none
   * (a plain Linux host). Rejects with a typed error when the system's answer is malformed.
   */
  readStations?(): Promise<PlatformStation[]>;
  /** Removes everything `setup` and `applyRouting` installed. */
  close(): Promise<void>;
}
