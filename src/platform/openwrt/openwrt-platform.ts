/**
 * The OpenWrt platform. OpenWrt 22.03+ routes with the same kernel pieces the Linux platform
 * drives (ip rule, routing tables, nftables, conntrack), so this platform reuses it for routing,
 * probes and carrier news, and adds what is OpenWrt's own: the gateway announcement through
 * kernel batman-adv (`batctl meshif bat0 gw_mode`), interface restarts through netifd
 * (`ubus call network.interface.<name> down|up`), and the mesh's gateway table (`batctl gwj`).
 *
 * @example
 * const p = new OpenWrtPlatform({ meshIf: 'bat0', lanDevices: ['br-lan'],
 *   wans: [{ name: 'wan', device: 'eth1', gateway: '192.0.2.1', netifd: 'wan' }] });
 * await p.setGatewayAnnouncement({ mode: 'server', bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 });
 * const candidates = await p.readGateways();
 */
import type { ProbeRequest, ProbeResult } from '../../agent/health/wan-tracker.ts';
import type { Announcement } from '../../agent/policy/gateway-announce.ts';
import {
  parseGatewaysJson,
  parseOriginatorsJson,
  type BatctlGateway,
  type OriginatorRow,
} from '../../agent/mesh/batctl-json.ts';
import { PlatformConfigError } from '../errors.ts';
import type { InterfaceInfo, LinkChange, Platform, RoutingPlan } from '../platform.ts';
import { commandRunner, type CommandRunner } from '../linux/command-runner.ts';
import { LinuxPlatform, type LinuxPlatformOptions } from '../linux/linux-platform.ts';
import type { LinuxWan } from '../linux/wan-layout.ts';
import { gwModeCommand, parseGwMode, type GwMode } from './batctl-gw-mode.ts';
import { ubusInterfaceCall } from './ubus-network.ts';

export interface OpenWrtWan extends LinuxWan {
  /** The netifd interface (`/etc/config/network` section) behind this WAN. */
  netifd: string;
}

export interface OpenWrtPlatformOptions extends Omit<
  LinuxPlatformOptions,
  'wans' | 'onAnnouncement'
> {
  wans: OpenWrtWan[];
  /** The batman-adv mesh interface. @default 'bat0' */
  meshIf?: string;
}

export class OpenWrtPlatform implements Platform {
  readonly kind = 'openwrt';
  private readonly linux: LinuxPlatform;
  private readonly run: CommandRunner;
  private readonly meshIf: string;
  private readonly netifd: Map<string, string>;

  constructor(options: OpenWrtPlatformOptions) {
    this.run = options.run ?? commandRunner({ netns: options.netns });
    this.linux = new LinuxPlatform({ ...options, run: this.run });
    this.meshIf = options.meshIf ?? 'bat0';
    this.netifd = new Map(options.wans.map((w) => [w.name, w.netifd]));
    // Fail at construction, not at the first announcement.
    gwModeCommand(this.meshIf, { mode: 'off' });
    for (const w of options.wans) ubusInterfaceCall(w.netifd, 'status');
  }

  setup(): Promise<void> {
    return this.linux.setup();
  }

  applyRouting(plan: RoutingPlan): Promise<void> {
    return this.linux.applyRouting(plan);
  }

  flushConntrack(wan: string): Promise<number> {
    return this.linux.flushConntrack(wan);
  }

  async setGatewayAnnouncement(announcement: Announcement): Promise<void> {
    // batman-adv keeps bandwidth in 100 kbit/s steps and refuses less than one step.
    const a: Announcement =
      announcement.mode === 'off'
        ? announcement
        : {
            mode: 'server',
            bandwidthDownKbit: Math.max(
              100,
              Math.round(announcement.bandwidthDownKbit / 100) * 100,
            ),
            bandwidthUpKbit: Math.max(100, Math.round(announcement.bandwidthUpKbit / 100) * 100),
          };
    await this.run(gwModeCommand(this.meshIf, a));
  }

  /** What batman-adv is set to now. */
  async readGwMode(): Promise<GwMode> {
    return parseGwMode((await this.run(['batctl', 'meshif', this.meshIf, 'gw_mode'])).stdout);
  }

  /** The gateways batman-adv knows, as gateway candidates for the selector. */
  async readGateways(): Promise<BatctlGateway[]> {
    return parseGatewaysJson((await this.run(['batctl', 'meshif', this.meshIf, 'gwj'])).stdout);
  }

  /** The originator table (`batctl oj`): the mesh's routes, and direct neighbours with their TQ. */
  async readOriginators(): Promise<OriginatorRow[]> {
    return parseOriginatorsJson((await this.run(['batctl', 'meshif', this.meshIf, 'oj'])).stdout);
  }

  readInterfaces(): Promise<InterfaceInfo[]> {
    return this.linux.readInterfaces();
  }

  probe(request: ProbeRequest): Promise<ProbeResult> {
    return this.linux.probe(request);
  }

  async restartInterface(wan: string): Promise<void> {
    const name = this.netifd.get(wan);
    if (name === undefined)
      throw new PlatformConfigError(
        `unknown WAN '${wan}' (known: ${[...this.netifd.keys()].join(', ')})`,
      );
    // netifd re-runs the protocol handler (DHCP, PPPoE, QMI) on up, which a plain link flap would not.
    await this.run(ubusInterfaceCall(name, 'down'));
    await this.run(ubusInterfaceCall(name, 'up'));
  }

  watchLinks(listener: (change: LinkChange) => void): () => void {
    return this.linux.watchLinks(listener);
  }

  close(): Promise<void> {
    return this.linux.close();
  }
}
