/**
 * The OpenWrt platform. OpenWrt 22.03+ routes with the same kernel pieces the Linux platform
 * drives (ip rule, routing tables, nftables, conntrack), so this platform reuses it for routing,
 * probes and carrier news, and adds what is OpenWrt's own:
 * - each WAN's uplink as netifd reports it (`ubus call network.interface.<name> status`, again
 *   on every `network.interface` event from `ubus listen`): a DHCP lease's gateway and address,
 *   a PPPoE session's or a modem's own device, or no gateway while the interface is down;
 * - interface restarts through netifd (`ubus call network.interface.<name> down|up`), which
 *   re-run the protocol handler (DHCP, PPPoE, QMI) where a plain link flap would not;
 * - the gateway announcement through kernel batman-adv (`batctl meshif bat0 gw_mode server …`,
 *   or `client <class>` when it stops, so the node then uses a neighbour's WAN), and the mesh's
 *   gateway and originator tables (`batctl gwj`, `oj`) as the platform's mesh view;
 * - the running multi-WAN policy written to `/etc/config/mwan3` through `uci`, so LuCI shows what
 *   the agent enforces and mwan3 takes over the same policy if the agent is removed.
 *
 * @example
 * const p = new OpenWrtPlatform({ meshIf: 'bat0', lanDevices: ['br-lan'],
 *   wans: [{ name: 'wan', device: 'eth1', netifd: 'wan' }] });
 * await p.setup(); // reads the lease of `wan` from netifd
 * await p.setGatewayAnnouncement({ mode: 'server', bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 });
 * const candidates = await p.mesh.readGateways();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ProbeRequest, ProbeResult } from '../../agent/health/wan-tracker.ts';
import type { Announcement } from '../../agent/policy/gateway-announce.ts';
import { parseGatewaysJson, parseOriginatorsJson } from '../../agent/mesh/batctl-json.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { PlatformConfigError } from '../errors.ts';
import type {
  DeviceCounters,
  InterfaceInfo,
  LinkChange,
  MeshView,
  Platform,
  PlatformStation,
  RoutingPlan,
} from '../platform.ts';
import { commandRunner, withNetns, type CommandRunner } from '../linux/command-runner.ts';
import { LinuxPlatform, type LinuxPlatformOptions } from '../linux/linux-platform.ts';
import type { LinuxWan } from '../linux/wan-layout.ts';
import { gwModeCommand, parseGwMode, type GwMode } from './batctl-gw-mode.ts';
import {
  mwan3Sections,
  renderMwan3Batch,
  staleMwan3Sections,
  type Mwan3Interface,
} from './uci-mwan3.ts';
import type { PolicyConfig } from '../../agent/policy/policy-config.ts';
import { parseInterfaceEvent, parseInterfaceStatus, ubusInterfaceCall } from './ubus-network.ts';
import {
  HOSTAPD_LIST,
  hostapdCall,
  parseHostapdClients,
  parseHostapdObjects,
  parseHostapdStatus,
} from './hostapd-clients.ts';

export interface OpenWrtWan extends LinuxWan {
  /** The netifd interface (`/etc/config/network` section) behind this WAN. */
  netifd: string;
}

export interface OpenWrtPlatformOptions extends Omit<
  LinuxPlatformOptions,
  'wans' | 'onAnnouncement'
> {
  /** A WAN's `device` and `gateway` are where to start; netifd's report replaces them. */
  wans: OpenWrtWan[];
  /** The batman-adv mesh interface. @default 'bat0' */
  meshIf?: string;
  /** How often the mesh view is worth reading. @default 5000 */
  meshPollMs?: number;
  /**
   * When not announcing itself, the node is a batman-adv gateway client with this selection
   * class (1 fast, 2 stable, 3 fast switch, N: switch at N points better), so its clients' DHCP
   * and traffic reach a neighbour's WAN. @default 20 (batman-adv's default)
   */
  gwSelClass?: number;
  /** The policy to keep in `/etc/config/mwan3`; omitted leaves mwan3's config alone. */
  mwan3?: { policy: PolicyConfig; interfaces: Mwan3Interface[] } | undefined;
  logger?: Logger;
}

export class OpenWrtPlatform implements Platform {
  readonly kind = 'openwrt';
  readonly mesh: MeshView;
  private readonly linux: LinuxPlatform;
  private readonly run: CommandRunner;
  private readonly netns: string | undefined;
  private readonly meshIf: string;
  private readonly gwSelClass: number;
  private readonly netifd: Map<string, string>;
  private readonly log: Logger;
  private readonly mwan3: OpenWrtPlatformOptions['mwan3'];
  private listener: ChildProcess | undefined;
  private refreshing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: OpenWrtPlatformOptions) {
    this.run = options.run ?? commandRunner({ netns: options.netns });
    this.netns = options.netns;
    this.linux = new LinuxPlatform({ ...options, run: this.run });
    this.meshIf = options.meshIf ?? 'bat0';
    this.gwSelClass = options.gwSelClass ?? 20;
    this.netifd = new Map(options.wans.map((w) => [w.name, w.netifd]));
    this.log = options.logger ?? silentLogger;
    this.mwan3 = options.mwan3;
    // Fail at construction, not at the first announcement or refresh.
    gwModeCommand(this.meshIf, { mode: 'client', selClass: this.gwSelClass });
    for (const w of options.wans) ubusInterfaceCall(w.netifd, 'status');
    const batctl = async (table: string) =>
      (await this.run(['batctl', 'meshif', this.meshIf, table])).stdout;
    this.mesh = {
      pollMs: options.meshPollMs ?? 5_000,
      readGateways: async () => parseGatewaysJson(await batctl('gwj')),
      readNeighbours: async () =>
        parseOriginatorsJson(await batctl('oj'))
          .filter((o) => o.originator === o.nextHop && o.tq !== null)
          .map((o) => ({ node: o.originator, tq: o.tq!, lastSeenMs: o.lastSeenMs })),
    };
  }

  async setup(): Promise<void> {
    this.closed = false;
    await this.linux.setup();
    await this.refreshWans([...this.netifd.keys()]);
    this.listenNetifd();
    await this.writeMwan3();
  }

  applyRouting(plan: RoutingPlan): Promise<void> {
    return this.linux.applyRouting(plan);
  }

  flushConntrack(wan: string): Promise<number> {
    return this.linux.flushConntrack(wan);
  }

  async setGatewayAnnouncement(announcement: Announcement): Promise<void> {
    // batman-adv keeps bandwidth in 100 kbit/s steps and refuses less than one step.
    const a: GwMode =
      announcement.mode === 'off'
        ? { mode: 'client', selClass: this.gwSelClass }
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

  /** The WANs with the devices and gateways netifd reported last. */
  get wans(): readonly LinuxWan[] {
    return this.linux.wans;
  }

  readInterfaces(): Promise<InterfaceInfo[]> {
    return this.linux.readInterfaces();
  }

  readCounters(devices: string[]): Promise<Map<string, DeviceCounters>> {
    return this.linux.readCounters(devices);
  }

  probe(request: ProbeRequest): Promise<ProbeResult> {
    return this.linux.probe(request);
  }

  /**
   * The stations of every hostapd BSS (`ubus list 'hostapd.*'`, then each one's `get_status`
   * for its SSID and `get_clients`). No hostapd object (no radio, wireless off) is no station;
   * a malformed answer rejects with HostapdOutputError.
   */
  async readStations(): Promise<PlatformStation[]> {
    const list = await this.run(HOSTAPD_LIST, { allowFailure: true });
    if (list.code !== 0) return [];
    const out: PlatformStation[] = [];
    for (const iface of parseHostapdObjects(list.stdout)) {
      const status = await this.run(hostapdCall(iface, 'get_status'));
      const { ssid } = parseHostapdStatus(status.stdout, iface);
      const clients = await this.run(hostapdCall(iface, 'get_clients'));
      out.push(...parseHostapdClients(clients.stdout, { iface, ssid }));
    }
    return out;
  }

  async restartInterface(wan: string): Promise<void> {
    const name = this.netifd.get(wan);
    if (name === undefined)
      throw new PlatformConfigError(
        `unknown WAN '${wan}' (known: ${[...this.netifd.keys()].join(', ')})`,
      );
    await this.run(ubusInterfaceCall(name, 'down'));
    await this.run(ubusInterfaceCall(name, 'up'));
    // netifd's ifup event brings the new lease; this covers a missed event.
    await this.refreshWans([wan]);
  }

  watchLinks(listener: (change: LinkChange) => void): () => void {
    return this.linux.watchLinks(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listener?.kill();
    this.listener = undefined;
    await this.refreshing;
    await this.linux.close();
  }

  /** Reads the WANs' status from netifd, one after another, and moves routes where it changed. */
  private refreshWans(wans: string[]): Promise<void> {
    this.refreshing = this.refreshing.then(async () => {
      for (const wan of wans) {
        if (this.closed) return;
        await this.refreshWan(wan).catch((err: Error) =>
          this.log.warn({ err: err.message, wan }, 'netifd status of the WAN not read'),
        );
      }
    });
    return this.refreshing;
  }

  private async refreshWan(wan: string): Promise<void> {
    const iface = this.netifd.get(wan)!;
    const status = parseInterfaceStatus(
      (await this.run(ubusInterfaceCall(iface, 'status'))).stdout,
    );
    const current = this.linux.wans.find((w) => w.name === wan)!;
    const changed = await this.linux.updateWan(wan, {
      device: status.device ?? current.device,
      gateway: status.up ? (status.gateway ?? undefined) : undefined,
      sourceAddress: status.up ? status.ipv4[0]?.split('/')[0] : undefined,
    });
    if (changed) {
      const w = this.linux.wans.find((x) => x.name === wan)!;
      this.log.info(
        { wan, netifd: iface, device: w.device, gateway: w.gateway ?? null },
        status.up ? 'WAN uplink from netifd' : 'WAN interface down in netifd',
      );
    }
  }

  /** Follows netifd's interface events, so a new lease is routed without waiting. */
  private listenNetifd(): void {
    if (this.listener) return;
    const argv = withNetns(this.netns, ['ubus', 'listen', 'network.interface']);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    this.listener = child;
    const byNetifd = new Map([...this.netifd].map(([wan, iface]) => [iface, wan]));
    child.on('error', (err) => {
      this.log.warn({ err: err.message }, 'netifd events not followed (ubus listen)');
      if (this.listener === child) this.listener = undefined;
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = parseInterfaceEvent(line);
      const wan = event ? byNetifd.get(event.interface) : undefined;
      if (wan !== undefined) void this.refreshWans([wan]);
    });
  }

  private async writeMwan3(): Promise<void> {
    if (!this.mwan3) return;
    let batch: string;
    try {
      batch = renderMwan3Batch(this.mwan3);
    } catch (err) {
      // Sub-second trackers and zone matches are the agent's own; mwan3 keeps its last policy.
      this.log.info({ reason: (err as Error).message }, '/etc/config/mwan3 left as it is');
      return;
    }
    try {
      const shown = await this.run(['uci', '-q', 'show', 'mwan3'], { allowFailure: true });
      const stale = staleMwan3Sections(shown.stdout, mwan3Sections(this.mwan3));
      await this.run(['uci', 'batch'], {
        input: stale.length > 0 ? `${stale.join('\n')}\n${batch}` : batch,
      });
      await this.run(['uci', 'commit', 'mwan3']);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, '/etc/config/mwan3 not updated');
    }
  }
}
