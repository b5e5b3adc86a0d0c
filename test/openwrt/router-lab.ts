/**
 * A router on OpenWrt's userland with two uplinks and a controller on the internet, for the
 * agent package's tests and the harness failover bench:
 *
 *   client (eth0 192.168.1.10) -- (lan1, br-lan 192.168.1.1) OpenWrt node
 *       node (wan: DHCP from isp1, 100.64.1.0/24) -- isp1 (up0 100.64.1.1) -- (i1) inet
 *       node (wanb: static 100.64.2.2/24)         -- isp2 (up0 100.64.2.1) -- (i2) inet
 *   inet: the controller at 203.0.113.10 (mqtts:// 8883, https:// 8443), the client's target
 *         198.51.100.1 (counted per ISP) and the probe targets 198.51.100.2 and .3
 *
 * The ISPs masquerade towards `inet`, so replies return through the ISP a packet came from. The
 * node's network and firewall are netifd's and fw4's (a LAN bridge, a DHCP and a static WAN);
 * `/etc/intelli-mesh/` holds the agent's config, its password and the site CA, as `config
 * render` lays them out. The agent itself comes from `packageIpk()`, installed with opkg.
 * Faults: `blackhole(isp)` drops everything from the node at the ISP, its link staying up.
 *
 * @example
 * const lab = await RouterLab.start({ trackIntervalMs: 1000 });
 * await lab.node.exec(['opkg', 'install', await lab.packageIpk()]);
 * await lab.waitOnline();
 * await lab.destroy();
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { agentPackage } from '../../src/packaging/openwrt/agent-package.ts';
import { bundleAgent } from '../../src/packaging/openwrt/bundle-agent.ts';
import { buildIpk, ipkFileName } from '../../src/packaging/openwrt/ipk.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import { makeTestPki, type TestPki } from '../mqtt/tls-pki.ts';
import { BLACKHOLE_UP0 } from '../platform/netns-lab.ts';
import { pingStream, type PingStream } from '../platform/ping-stream.ts';
import { Netns, OpenWrtNode, startDhcpServer, veth, waitFor } from './harness.ts';

const exec = promisify(execFile);
const PROBE = new URL('../cli/https-api-probe.mjs', import.meta.url).pathname;

export const CONTROLLER = '203.0.113.10';
export const INTERNET = '198.51.100.1';
export const PROBE_TARGETS = ['198.51.100.2', '198.51.100.3'];
export const NODE_NAME = 'owrt-gw';
const SITE = 'harness';
const ADMIN_PASSWORD = 'admin-pw';

export interface RouterLabOptions {
  /** The WAN trackers' cycle; whole seconds let the agent write mwan3's config too. */
  trackIntervalMs: number;
  /** Probe cycles a WAN may fail before it is offline. @default 3 */
  down?: number;
  /** Fast mode: each probe reads an ICMP echo stream sent this often. @default none */
  icmpStreamIntervalMs?: number;
  /** Restart a WAN through netifd after this many failed cycles. @default none */
  restartAfterFailedCycles?: number;
  restartBackoffMs?: number;
}

export interface ApiNode {
  node: string;
  online: boolean;
  state?: {
    wans: { name: string; state: string; active: boolean }[];
    config_version?: string | null;
    firmware_version?: string | null;
  };
}

export class RouterLab {
  private readonly servers: ChildProcess[] = [];

  private constructor(
    readonly node: OpenWrtNode,
    readonly client: Netns,
    readonly isps: [Netns, Netns],
    readonly inet: Netns,
    readonly controller: ControllerProcess,
    readonly pki: TestPki,
    private readonly dir: string,
    private readonly stopDhcp: () => Promise<void>,
  ) {}

  static async start(o: RouterLabOptions): Promise<RouterLab> {
    const dir = await mkdtemp(join(tmpdir(), 'im-router-lab-'));
    const pki = makeTestPki(dir, { ips: [CONTROLLER] });
    const inet = await Netns.create('inet');
    const isps: [Netns, Netns] = [await Netns.create('isp1'), await Netns.create('isp2')];
    const client = await Netns.create('client');
    for (const a of [INTERNET, ...PROBE_TARGETS, CONTROLLER])
      await inet.exec(['ip', 'addr', 'add', `${a}/32`, 'dev', 'lo']);
    for (const [i, isp] of isps.entries()) {
      const n = i + 1;
      await veth(
        { ns: isp, device: 'down0', addresses: [`198.18.${n}.1/24`] },
        { ns: inet, device: `i${n}`, addresses: [`198.18.${n}.2/24`] },
      );
      await isp.exec(['ip', 'route', 'add', 'default', 'via', `198.18.${n}.2`]);
      await isp.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      await isp.exec(['nft', '-f', '-'], {
        input: `table ip isp {\n chain post {\n  type nat hook postrouting priority srcnat; policy accept;\n  oifname "down0" masquerade\n }\n}\n`,
      });
    }
    // Which ISP the client's traffic came through, counted where it arrives.
    await inet.exec(['nft', '-f', '-'], {
      input: `table inet lab {\n counter via_isp1 {}\n counter via_isp2 {}\n chain in {\n  type filter hook input priority 0; policy accept;\n  iifname "i1" ip daddr ${INTERNET} counter name via_isp1\n  iifname "i2" ip daddr ${INTERNET} counter name via_isp2\n }\n}\n`,
    });
    await client.exec(['ip', 'link', 'set', 'lo', 'up']);

    const password = 'owrt-gw-mqtt-pw';
    await writeFile(
      join(dir, 'users.yaml'),
      stringify({
        users: [{ username: NODE_NAME, role: 'node', password_hash: hashPassword(password) }],
      }),
    );
    const controller = await startControllerProcess(
      [
        ...['--site', SITE, '--db', join(dir, 'controller.db')],
        ...['--credentials', join(dir, 'users.yaml'), '--mqtt-host', '0.0.0.0'],
        ...['--mqtt-tls-cert', pki.server, '--mqtt-tls-key', pki.serverKey],
        ...['--host', '0.0.0.0', '--port', '8443'],
        ...['--http-tls-cert', pki.server, '--http-tls-key', pki.serverKey],
      ],
      { wrap: ['ip', 'netns', 'exec', inet.name], env: { INTELLI_MESH_PASSWORD: ADMIN_PASSWORD } },
    );

    const files = join(dir, 'files');
    const file = async (path: string, content: string, mode = 0o644) => {
      await mkdir(dirname(join(files, path)), { recursive: true });
      await writeFile(join(files, path), content, { mode });
    };
    await file('etc/config/network', NETWORK);
    await file('etc/config/firewall', FIREWALL);
    await file('etc/config/mwan3', "config globals 'globals'\n\toption mmx_mask '0x3F00'\n");
    await file('etc/openwrt_release', RELEASE);
    await file('etc/intelli-mesh/agent.json', JSON.stringify(agentConfig(o), null, 2), 0o600);
    await file('etc/intelli-mesh/mqtt-password', `${password}\n`, 0o600);
    await file('etc/intelli-mesh/ca.pem', await readFile(pki.ca, 'utf8'));

    let dhcp: { stop(): Promise<void> } | undefined;
    const node = await OpenWrtNode.boot({
      name: NODE_NAME,
      files,
      nodePackage: true,
      links: [
        { device: 'wan', peer: isps[0], peerDevice: 'up0', peerAddresses: ['100.64.1.1/24'] },
        { device: 'wanb', peer: isps[1], peerDevice: 'up0', peerAddresses: ['100.64.2.1/24'] },
        { device: 'lan1', peer: client, peerDevice: 'eth0', peerAddresses: ['192.168.1.10/24'] },
      ],
      beforeBoot: async () => {
        dhcp = await startDhcpServer(isps[0], 'up0', '100.64.1.0/24');
      },
    });
    await client.exec(['ip', 'route', 'add', 'default', 'via', '192.168.1.1']);
    return new RouterLab(node, client, isps, inet, controller, pki, dir, async () => {
      await dhcp?.stop();
    });
  }

  /** Builds the agent package (bundle and .ipk) into the node's share folder; its path inside. */
  async packageIpk(release = 1): Promise<string> {
    const bundle = join(this.dir, `agent-${release}.mjs`);
    await bundleAgent({ outfile: bundle, version: `0.0.0-${release}` });
    const options = agentPackage({ bundle: await readFile(bundle), version: `0.0.0-${release}` });
    const path = join(this.node.shareDir, ipkFileName(options.control));
    await writeFile(path, buildIpk(options));
    return path;
  }

  /** The controller's view of the nodes, asked over HTTPS from the internet side. */
  async nodes(): Promise<ApiNode[]> {
    return (await this.api('/api/nodes')) as ApiNode[];
  }

  /** One request to the controller's API as the admin, from the internet side. */
  async api(path: string, method = 'GET', body?: unknown): Promise<unknown> {
    const { stdout } = await exec('ip', [
      ...['netns', 'exec', this.inet.name, process.execPath, PROBE],
      ...[`https://${CONTROLLER}:8443`, this.pki.ca, 'admin', ADMIN_PASSWORD, path, method],
      ...(body === undefined ? [] : [JSON.stringify(body)]),
    ]);
    return JSON.parse(stdout);
  }

  /**
   * Serves `files` (name to content) over HTTP from the internet side, at
   * http://203.0.113.10:8080/<name>, until the lab is destroyed.
   */
  async serveFiles(files: Record<string, Buffer>): Promise<string> {
    const dir = join(this.dir, 'www');
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    const script = `const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
http.createServer((req, res) => {
  const f = path.join(${JSON.stringify(dir)}, path.basename(req.url));
  fs.readFile(f, (err, body) => { if (err) { res.writeHead(404); res.end(); } else { res.writeHead(200, { 'content-length': body.length }); res.end(body); } });
}).listen(8080, ${JSON.stringify(CONTROLLER)}, () => console.log('listening'));`;
    const child = spawn('ip', ['netns', 'exec', this.inet.name, process.execPath, '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.servers.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`file server exited with ${code}`)));
    });
    return `http://${CONTROLLER}:8080`;
  }

  async waitOnline(online = true, timeoutMs = 30_000): Promise<ApiNode> {
    return waitFor(
      `${NODE_NAME} ${online ? 'online' : 'offline'} at the controller`,
      async () => {
        const n = (await this.nodes()).find((x) => x.node === NODE_NAME);
        return n && n.online === online ? n : undefined;
      },
      timeoutMs,
    );
  }

  /** Packets of client traffic that came through each ISP so far. */
  async clientPackets(): Promise<[number, number]> {
    const read = async (name: string) => {
      const { stdout } = await this.inet.exec([
        'nft',
        '-j',
        'list',
        'counter',
        'inet',
        'lab',
        name,
      ]);
      return Number(/"packets":\s*(\d+)/.exec(stdout)?.[1] ?? 0);
    };
    return [await read('via_isp1'), await read('via_isp2')];
  }

  /** Which ISP a fresh ping from the client goes through: 1, 2, or 0 when it is lost. */
  async clientCarrier(): Promise<0 | 1 | 2> {
    const [a0, b0] = await this.clientPackets();
    const ok = await this.client
      .exec(['ping', '-n', '-q', '-c', '1', '-W', '1', INTERNET], { allowFailure: true })
      .then((r) => r.code === 0);
    const [a1, b1] = await this.clientPackets();
    if (!ok) return 0;
    return a1 > a0 ? 1 : b1 > b0 ? 2 : 0;
  }

  /** A 10 ms ping stream from the client to the internet address. */
  pingStream(): PingStream {
    return pingStream(this.client.name, INTERNET);
  }

  /** The ISP silently drops everything from the node; the link stays up. */
  async blackhole(isp: 1 | 2): Promise<void> {
    await this.isps[isp - 1]!.exec(['nft', '-f', '-'], { input: BLACKHOLE_UP0 });
  }

  async heal(isp: 1 | 2): Promise<void> {
    await this.isps[isp - 1]!.exec(['nft', 'delete', 'table', 'inet', 'fault'], {
      allowFailure: true,
    });
  }

  async destroy(): Promise<void> {
    for (const s of this.servers) s.kill();
    await this.node.stop({ clean: false }).catch(() => undefined);
    await this.controller.stop();
    await this.stopDhcp();
    for (const ns of [this.client, ...this.isps, this.inet]) await ns.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The firmware the node runs, as OpenWrt's base-files write it. */
export const FIRMWARE = 'OpenWrt 23.05.5 r24106-10cc5fcd00';
const RELEASE = `DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='23.05.5'
DISTRIB_REVISION='r24106-10cc5fcd00'
DISTRIB_TARGET='mediatek/filogic'
DISTRIB_ARCH='aarch64_cortex-a53'
DISTRIB_DESCRIPTION='${FIRMWARE}'
DISTRIB_TAINTS=''
`;

const NETWORK = `config interface 'loopback'
	option device 'lo'
	option proto 'static'
	option ipaddr '127.0.0.1'
	option netmask '255.0.0.0'

config device
	option name 'br-lan'
	option type 'bridge'
	list ports 'lan1'

config interface 'lan'
	option device 'br-lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	option netmask '255.255.255.0'

config interface 'wan'
	option device 'wan'
	option proto 'dhcp'
	option metric '10'

config interface 'wanb'
	option device 'wanb'
	option proto 'static'
	option ipaddr '100.64.2.2'
	option netmask '255.255.255.0'
	option gateway '100.64.2.1'
	option metric '20'
`;

const FIREWALL = `config defaults
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'

config zone
	option name 'lan'
	list network 'lan'
	option input 'ACCEPT'
	option output 'ACCEPT'
	option forward 'ACCEPT'

config zone
	option name 'wan'
	list network 'wan'
	list network 'wanb'
	option input 'REJECT'
	option output 'ACCEPT'
	option forward 'REJECT'
	option masq '1'

config forwarding
	option src 'lan'
	option dest 'wan'

config rule
	option name 'Allow-DHCP-Renew'
	option src 'wan'
	option proto 'udp'
	option dest_port '68'
	option target 'ACCEPT'
	option family 'ipv4'
`;

/** The agent's config as `config render` writes it for a gateway with a DHCP and a static WAN. */
function agentConfig(o: RouterLabOptions): Record<string, unknown> {
  const track = {
    targets: PROBE_TARGETS,
    reliability: 1,
    intervalMs: o.trackIntervalMs,
    timeoutMs: Math.min(o.trackIntervalMs, 1000),
    down: o.down ?? 3,
    up: 3,
  };
  return {
    node: NODE_NAME,
    platform: 'openwrt',
    role: 'gateway',
    address: 1,
    lanDevices: ['br-lan'],
    zones: { lan: ['br-lan'] },
    ...(o.icmpStreamIntervalMs !== undefined
      ? { icmpStreamIntervalMs: o.icmpStreamIntervalMs }
      : {}),
    ...(o.restartAfterFailedCycles !== undefined
      ? {
          restartAfterFailedCycles: o.restartAfterFailedCycles,
          restartBackoffMs: o.restartBackoffMs ?? 60_000,
        }
      : {}),
    wans: [
      { name: 'wan', kind: 'ethernet', device: 'wan', netifd: 'wan', track },
      { name: 'wanb', kind: 'ethernet', device: 'wanb', netifd: 'wanb', track },
    ].map((w) => ({ ...w, bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 })),
    policy: {
      members: [
        { name: 'wan_m1', wan: 'wan', metric: 1, weight: 1 },
        { name: 'wanb_m2', wan: 'wanb', metric: 2, weight: 1 },
      ],
      policies: [{ name: 'failover', members: ['wan_m1', 'wanb_m2'], lastResort: 'unreachable' }],
      rules: [{ name: 'default_v4', destIp: '0.0.0.0/0', policy: 'failover' }],
    },
    mqtt: {
      url: `mqtts://${CONTROLLER}:8883`,
      site: SITE,
      username: NODE_NAME,
      passwordFile: 'mqtt-password',
      tls: { ca: 'ca.pem' },
      metricsIntervalMs: 5000,
    },
  };
}
