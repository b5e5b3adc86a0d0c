/**
 * The Linux platform: per-WAN routing tables with `ip rule` (fwmark, source address, bound
 * device), nftables marks with `numgen random` for weighted balance, `conntrack -D --mark` to
 * move connections off a dead WAN, real probes, and carrier changes from `ip monitor link`.
 * Every command can run inside a network namespace (`netns`), which is how the tests and the
 * failover benchmark drive a "node" namespace from one process.
 *
 * @example
 * const p = new LinuxPlatform({
 *   netns: 'node1', lanDevices: ['lan0'],
 *   wans: [{ name: 'wan1', device: 'wan1', gateway: '10.91.0.1' }, { name: 'wan2', device: 'wan2', gateway: '10.92.0.1' }],
 * });
 * await p.setup();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ProbeRequest, ProbeResult } from '../../agent/health/wan-tracker.ts';
import type { Announcement } from '../../agent/policy/gateway-announce.ts';
import { PlatformConfigError } from '../errors.ts';
import type {
  DeviceCounters,
  InterfaceInfo,
  LinkChange,
  Platform,
  RoutingPlan,
} from '../platform.ts';
import { commandRunner, withNetns, type CommandRunner } from './command-runner.ts';
import { parseIpAddrJson, parseMonitorLinkLine } from './interfaces.ts';
import { IcmpStream } from './icmp-stream.ts';
import { NFT_DELETE, renderNft, renderNftRuleset, type NftNames } from './nft-ruleset.ts';
import { probeDns, probeHttp, probeIcmp, probeTcp } from './probers.ts';
import { trafficCounters, type TrafficCounterReader } from './traffic-counters.ts';
import {
  hex,
  ifname,
  ipv4,
  MARK_MASK,
  MESH_MARK,
  UNREACHABLE_MARK,
  wanLayout,
  type LinuxWan,
  type PlacedWan,
  type WanLayout,
} from './wan-layout.ts';

/** What a WAN's uplink looks like now, as the system that brings it up reports it. */
export type WanAddressing = Pick<LinuxWan, 'device' | 'gateway' | 'sourceAddress'>;

export interface LinuxPlatformOptions {
  wans: LinuxWan[];
  /** Devices whose forwarded traffic the policy rules apply to. */
  lanDevices: string[];
  netns?: string | undefined;
  /** @default 100 */
  tableBase?: number;
  /** @default 1000 */
  prefBase?: number;
  /** Told about gateway announcements; on Linux our routing engine is the one announcing. */
  onAnnouncement?: (a: Announcement) => void;
  /**
   * Fast mode: ICMP probes read a continuous echo stream per (WAN, target) sent this often,
   * instead of one `ping` process per probe. Intervals below 200 ms need root.
   */
  icmpStreamIntervalMs?: number;
  /** Injected for tests of command sequences; defaults to spawning in `netns`. */
  run?: CommandRunner;
}

export class LinuxPlatform implements Platform {
  readonly kind = 'linux';
  private readonly layout: WanLayout;
  private readonly run: CommandRunner;
  private readonly netns: string | undefined;
  private readonly lanDevices: string[];
  private readonly onAnnouncement: ((a: Announcement) => void) | undefined;
  private announcement: Announcement = { mode: 'off' };
  private readonly monitors = new Set<ChildProcess>();
  private lastMeshLine: string | undefined;
  /** The table the node's own traffic is sent to now; undefined: the main table. */
  private localTable: number | undefined;
  private nftNames: NftNames | undefined;
  private readonly streams = new Map<string, IcmpStream>();
  private readonly streamIntervalMs: number | undefined;
  private readonly counters: TrafficCounterReader;
  private lastPlan: RoutingPlan = { rules: [], meshGateway: null };
  private readonly linkListeners = new Set<(change: LinkChange) => void>();

  constructor(options: LinuxPlatformOptions) {
    this.layout = wanLayout(options.wans, options.tableBase, options.prefBase);
    this.netns = options.netns;
    this.run = options.run ?? commandRunner({ netns: options.netns });
    if (options.lanDevices.length === 0 || !options.lanDevices.every((d) => ifname.test(d))) {
      throw new PlatformConfigError(
        `lanDevices must be interface names, got ${JSON.stringify(options.lanDevices)}`,
      );
    }
    this.lanDevices = options.lanDevices;
    this.onAnnouncement = options.onAnnouncement;
    this.counters = trafficCounters({ netns: options.netns, run: options.run });
    this.streamIntervalMs = options.icmpStreamIntervalMs;
    if (
      this.streamIntervalMs !== undefined &&
      (!Number.isInteger(this.streamIntervalMs) || this.streamIntervalMs < 2)
    ) {
      throw new PlatformConfigError(
        `icmpStreamIntervalMs ${this.streamIntervalMs} must be an integer >= 2`,
      );
    }
  }

  get currentAnnouncement(): Announcement {
    return this.announcement;
  }

  /** Rule priorities this platform owns, for setup and cleanup. */
  private prefs(): number[] {
    const n = this.layout.wans.length;
    const base = this.layout.prefBase;
    return [
      ...Array.from({ length: n }, (_, i) => base + 1 + i),
      ...Array.from({ length: n }, (_, i) => base + 101 + i),
      ...Array.from({ length: n }, (_, i) => base + 201 + i),
      base + 250,
      base + 251,
      base + 300,
      base + 301,
    ];
  }

  private tables(): number[] {
    return [
      ...this.layout.wans.map((w) => w.table),
      this.layout.meshTable,
      this.layout.unreachableTable,
    ];
  }

  /** `ip rule add SELECTOR lookup TABLE pref PREF`. */
  private async addRule(selector: string[], table: number, pref: number): Promise<void> {
    await this.run([
      'ip',
      'rule',
      'add',
      ...selector,
      'lookup',
      String(table),
      'pref',
      String(pref),
    ]);
  }

  async setup(): Promise<void> {
    this.lastMeshLine = undefined;
    this.localTable = undefined;
    this.nftNames = undefined;
    await this.removeRules();
    const { prefBase: base } = this.layout;
    for (const [i, w] of this.layout.wans.entries()) {
      await this.ensureWanRoute(w.name);
      await this.addRule(['fwmark', `${hex(w.mark)}/${hex(MARK_MASK)}`], w.table, base + 1 + i);
      if (w.sourceAddress) await this.addRule(['from', w.sourceAddress], w.table, base + 101 + i);
      await this.addRule(['oif', w.device], w.table, base + 201 + i);
    }
    const { meshTable, unreachableTable } = this.layout;
    await this.addRule(['fwmark', `${hex(MESH_MARK)}/${hex(MARK_MASK)}`], meshTable, base + 300);
    await this.addRule(
      ['fwmark', `${hex(UNREACHABLE_MARK)}/${hex(MARK_MASK)}`],
      unreachableTable,
      base + 301,
    );
    // Both start unreachable: nothing leaks out the main table before the agent decides.
    for (const table of [unreachableTable, meshTable]) {
      await this.run(['ip', 'route', 'replace', 'unreachable', 'default', 'table', String(table)]);
    }
    await this.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await this.loadNft(
      renderNftRuleset(
        this.layout,
        { rules: [], meshGateway: null },
        { lanDevices: this.lanDevices },
      ),
    );
  }

  async applyRouting(plan: RoutingPlan): Promise<void> {
    // Render and validate first: a bad plan throws before anything changes.
    const nft = renderNft(this.layout, plan, {
      lanDevices: this.lanDevices,
      previous: this.nftNames,
    });
    const mesh = plan.meshGateway;
    if (mesh && (!ifname.test(mesh.device) || !ipv4.test(mesh.via))) {
      throw new PlatformConfigError(
        `mesh gateway ${mesh.via} dev ${mesh.device} is not an IPv4 address and interface`,
      );
    }
    const used = new Set(
      plan.rules.flatMap((r) =>
        r.target.kind === 'wans' ? r.target.shares.map((s) => s.wan) : [],
      ),
    );
    // One `ip -batch` for all routes keeps a failover to two process spawns (ip, nft). A WAN whose
    // device went administratively down lost its routes, so the used ones are put back first.
    const lines = [...used].map((name) => wanRouteLine(this.wan(name)));
    const meshLine = mesh
      ? `route replace default via ${mesh.via} dev ${mesh.device} table ${this.layout.meshTable} onlink`
      : `route replace unreachable default table ${this.layout.meshTable}`;
    if (meshLine !== this.lastMeshLine) lines.push(meshLine);
    if (lines.length > 0) {
      const r = await this.run(['ip', '-force', '-batch', '-'], {
        input: `${lines.join('\n')}\n`,
        allowFailure: true,
      });
      // A route to a WAN without carrier may fail; the mesh route must not: retry it alone so a
      // failure is reported with its own message.
      if (r.code !== 0 && meshLine !== this.lastMeshLine) {
        await this.run(['ip', ...meshLine.split(' ')]);
      }
    }
    this.lastMeshLine = meshLine;
    await this.routeLocal(plan);
    this.lastPlan = plan;
    try {
      await this.loadNft(nft.text);
      this.nftNames = nft.names;
    } catch (e) {
      // Unknown state now: the next load replaces the table whole.
      this.nftNames = undefined;
      throw e;
    }
  }

  async flushConntrack(wan: string): Promise<number> {
    const w = this.wan(wan);
    const r = await this.run(['conntrack', '-D', '--mark', `${w.mark}/${MARK_MASK}`], {
      allowFailure: true,
    });
    // conntrack reports "N flow entries have been deleted" on stderr; none found exits 1.
    const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
    if (m) return Number(m[1]);
    if (r.code === 0 || r.code === 1) return 0;
    throw new PlatformConfigError(`conntrack -D for ${wan} failed: ${r.stderr.trim()}`);
  }

  async restartInterface(wan: string): Promise<void> {
    const w = this.wan(wan);
    await this.run(['ip', '-batch', '-'], {
      input: `link set dev ${w.device} down\nlink set dev ${w.device} up\n`,
    });
    // Taking the device down removed its routes; the WAN's table needs its default back.
    await this.ensureWanRoute(wan);
  }

  /**
   * The node's own traffic (`iif lo`): connected and other specific routes of the main table
   * first (`suppress_prefixlength 0` leaves out only its default route), then the chosen table.
   * These sit after the probes' `from` and `oif` rules, so a probe bound to a WAN keeps it.
   */
  private async routeLocal(plan: RoutingPlan): Promise<void> {
    const local = plan.local ?? null;
    const table =
      local === null
        ? undefined
        : local.kind === 'mesh'
          ? plan.meshGateway
            ? this.layout.meshTable
            : undefined
          : this.wan(local.wan).table;
    if (table === this.localTable) return;
    const base = this.layout.prefBase;
    for (const pref of [base + 250, base + 251])
      await this.run(['ip', 'rule', 'del', 'pref', String(pref)], { allowFailure: true });
    if (table !== undefined) {
      await this.run([
        'ip',
        'rule',
        'add',
        'iif',
        'lo',
        'lookup',
        'main',
        'suppress_prefixlength',
        '0',
        'pref',
        String(base + 250),
      ]);
      await this.addRule(['iif', 'lo'], table, base + 251);
    }
    this.localTable = table;
  }

  /**
   * The WAN's uplink changed under the agent (a new DHCP lease, a modem's device appearing, a
   * PPPoE session's own device): its route, its `from` and `oif` rules and the masquerade follow.
   * A WAN whose gateway is unknown routes nothing rather than leaking into the main table.
   */
  async updateWan(name: string, next: WanAddressing): Promise<boolean> {
    const w = this.wan(name);
    const i = this.layout.wans.indexOf(w);
    const changed =
      w.device !== next.device ||
      w.gateway !== next.gateway ||
      w.sourceAddress !== next.sourceAddress;
    if (!changed) return false;
    const checked = wanLayout([{ ...w, ...next }]).wans[0]!;
    const previousDevice = w.device;
    const base = this.layout.prefBase;
    for (const pref of [base + 101 + i, base + 201 + i]) {
      await this.run(['ip', 'rule', 'del', 'pref', String(pref)], { allowFailure: true });
    }
    Object.assign(w, {
      device: checked.device,
      gateway: checked.gateway,
      sourceAddress: checked.sourceAddress,
    });
    if (w.sourceAddress) await this.addRule(['from', w.sourceAddress], w.table, base + 101 + i);
    await this.addRule(['oif', w.device], w.table, base + 201 + i);
    await this.ensureWanRoute(name);
    // The ruleset names WAN devices (masquerade); reload it with the plan in force.
    if (this.nftNames !== undefined) await this.applyRouting(this.lastPlan);
    if (previousDevice !== w.device) {
      for (const [key, stream] of this.streams) {
        if (!key.startsWith(`${previousDevice}>`)) continue;
        stream.stop();
        this.streams.delete(key);
      }
      // Carrier news is filtered by device name: tell the listeners where the WAN is now.
      const carrier = (await this.readInterfaces()).find((x) => x.name === w.device)?.carrier;
      if (carrier !== undefined)
        for (const l of this.linkListeners) l({ device: w.device, carrier });
    }
    return true;
  }

  /** The WANs as placed now (their devices and gateways may have changed since setup). */
  get wans(): readonly PlacedWan[] {
    return this.layout.wans;
  }

  readCounters(devices: string[]): Promise<Map<string, DeviceCounters>> {
    return this.counters(devices);
  }

  async setGatewayAnnouncement(announcement: Announcement): Promise<void> {
    this.announcement = announcement;
    this.onAnnouncement?.(announcement);
  }

  async readInterfaces(): Promise<InterfaceInfo[]> {
    return parseIpAddrJson((await this.run(['ip', '-j', 'addr', 'show'])).stdout);
  }

  async probe(request: ProbeRequest): Promise<ProbeResult> {
    const w = this.wan(request.wan);
    const common = {
      target: request.target,
      sourceAddress: w.sourceAddress,
      timeoutMs: request.timeoutMs,
    };
    const outcome =
      request.method === 'icmp' && this.streamIntervalMs !== undefined
        ? await this.stream(w.device, request.target, this.streamIntervalMs).probe(
            request.timeoutMs,
          )
        : request.method === 'icmp'
          ? await probeIcmp(this.run, {
              device: w.device,
              target: request.target,
              timeoutMs: request.timeoutMs,
            })
          : request.method === 'tcp'
            ? await probeTcp(common)
            : request.method === 'dns'
              ? await probeDns(common)
              : await probeHttp({ ...common, secure: request.method === 'https' });
    return { probeId: request.probeId, ...outcome };
  }

  watchLinks(listener: (change: LinkChange) => void): () => void {
    const argv = withNetns(this.netns, ['ip', '-o', 'monitor', 'link']);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    this.monitors.add(child);
    this.linkListeners.add(listener);
    // Without `ip` there is no carrier news; probes still detect a dead WAN.
    child.on('error', () => this.monitors.delete(child));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const change = parseMonitorLinkLine(line);
      // Devices are looked up at each line: a WAN's device may change (updateWan).
      if (change && this.layout.wans.some((w) => w.device === change.device)) listener(change);
    });
    return () => {
      this.monitors.delete(child);
      this.linkListeners.delete(listener);
      child.kill();
    };
  }

  private stream(device: string, target: string, intervalMs: number): IcmpStream {
    const key = `${device}>${target}`;
    let s = this.streams.get(key);
    if (!s) {
      s = new IcmpStream(withNetns(this.netns, []), device, target, intervalMs);
      this.streams.set(key, s);
    }
    return s;
  }

  async close(): Promise<void> {
    for (const s of this.streams.values()) s.stop();
    this.streams.clear();
    for (const m of this.monitors) m.kill();
    this.monitors.clear();
    await this.removeRules();
    for (const t of this.tables())
      await this.run(['ip', 'route', 'flush', 'table', String(t)], { allowFailure: true });
    await this.run(['nft', '-f', '-'], { input: NFT_DELETE, allowFailure: true });
  }

  private async ensureWanRoute(name: string): Promise<void> {
    await this.run(['ip', ...wanRouteLine(this.wan(name)).split(' ')], { allowFailure: true });
  }

  private async removeRules(): Promise<void> {
    for (const pref of this.prefs()) {
      // Deleting by priority until none is left also clears duplicates from an earlier crash.
      for (let i = 0; i < 8; i++) {
        const r = await this.run(['ip', 'rule', 'del', 'pref', String(pref)], {
          allowFailure: true,
        });
        if (r.code !== 0) break;
      }
    }
  }

  private async loadNft(text: string): Promise<void> {
    await this.run(['nft', '-f', '-'], { input: text });
  }

  private wan(name: string): PlacedWan {
    const w = this.layout.wans.find((x) => x.name === name);
    if (!w)
      throw new PlatformConfigError(
        `unknown WAN '${name}' (known: ${this.layout.wans.map((x) => x.name).join(', ')})`,
      );
    return w;
  }
}

/** The `ip route` line of a WAN's table: its default route, or unreachable while it has none. */
function wanRouteLine(w: PlacedWan): string {
  return w.gateway === undefined
    ? `route replace unreachable default table ${w.table}`
    : `route replace default via ${w.gateway} dev ${w.device} table ${w.table} onlink`;
}
