import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandRunner, type CommandRunner } from '../../src/platform/linux/command-runner.ts';
import { OpenWrtPlatform } from '../../src/platform/openwrt/openwrt-platform.ts';
import { platformCompliance } from './compliance.ts';
import { labUnavailableReason, NetnsLab } from './netns-lab.ts';

const skip = await labUnavailableReason();
const gwj = readFileSync(new URL('../agent/fixtures/batctl-gwj.json', import.meta.url), 'utf8');

/** What the stand-in netifd says of each interface: a lease (device, address, gateway) or down. */
type Lease = { device: string; address: string; gateway: string } | 'down';

function statusJson(lease: Lease): string {
  if (lease === 'down') return JSON.stringify({ up: false, 'ipv4-address': [], route: [] });
  return JSON.stringify({
    up: true,
    l3_device: lease.device,
    device: lease.device,
    'ipv4-address': [{ address: lease.address, mask: 24 }],
    route: [{ target: '0.0.0.0', mask: 0, nexthop: lease.gateway }],
  });
}

/**
 * The kernel parts (ip, nft, conntrack, ping) run for real in the lab's node namespace; the
 * OpenWrt-only tools answer from recorded outputs (there is no batman-adv module or netifd
 * here; test/openwrt runs the real ones), and every call to them is logged for the assertions.
 */
function hybridRunner(
  netns: string,
  log: string[][],
  leases: Map<string, Lease> = new Map(),
): CommandRunner {
  const real = commandRunner({ netns });
  let gwMode = 'off\n';
  return async (argv, opts) => {
    if (argv[0] === 'batctl') {
      log.push(argv);
      const verb = argv[3];
      if (verb === 'gwj') return { stdout: gwj, stderr: '', code: 0 };
      if (verb === 'gw_mode' && argv.length === 4) return { stdout: gwMode, stderr: '', code: 0 };
      if (verb === 'gw_mode') {
        const [mode, arg] = [argv[4], argv[5]];
        const mbit = (kbit: string) => {
          const tenths = Number(kbit.replace('kbit', '')) / 100;
          return `${Math.floor(tenths / 10)}.${tenths % 10}`;
        };
        const [down = '', up = ''] = (arg ?? '').split('/');
        gwMode =
          mode === 'server'
            ? `server (announced bw: ${mbit(down)}/${mbit(up)} MBit)\n`
            : mode === 'client'
              ? `client (selection class: ${arg})\n`
              : 'off\n';
        return { stdout: '', stderr: '', code: 0 };
      }
    }
    if (argv[0] === 'ubus') {
      log.push(argv);
      const lease = leases.get(argv[2]!.replace('network.interface.', ''));
      if (argv[3] === 'status' && lease !== undefined)
        return { stdout: statusJson(lease), stderr: '', code: 0 };
      return { stdout: '', stderr: '', code: 0 };
    }
    return real(argv, opts);
  };
}

const wans = [
  { name: 'wan1', device: 'wan1', gateway: '10.91.0.1', netifd: 'wan' },
  { name: 'wan2', device: 'wan2', gateway: '10.92.0.1', netifd: 'wanb' },
];

platformCompliance(
  'openwrt (kernel parts in namespaces, batctl and ubus recorded)',
  async () => {
    const lab = await NetnsLab.create();
    const platform = new OpenWrtPlatform({
      netns: lab.node,
      lanDevices: ['lan0'],
      wans,
      run: hybridRunner(lab.node, []),
    });
    return {
      platform,
      ...lab.harnessFields(),
      residue: async () =>
        (await commandRunner({ netns: lab.node })(['nft', 'list', 'tables'])).stdout.includes(
          'intelli_mesh',
        )
          ? ['nft table intelli_mesh']
          : [],
      destroy: () => lab.destroy(),
    };
  },
  skip,
);

describe.skipIf(skip !== null)('OpenWrt specifics', () => {
  let lab: NetnsLab;
  let platform: OpenWrtPlatform;
  const log: string[][] = [];
  const leases = new Map<string, Lease>([
    ['wan', { device: 'wan1', address: '10.91.0.2', gateway: '10.91.0.1' }],
    ['wanb', { device: 'wan2', address: '10.92.0.2', gateway: '10.92.0.1' }],
  ]);
  const table = async (id: number) =>
    (await commandRunner({ netns: lab.node })(['ip', 'route', 'show', 'table', String(id)])).stdout;
  beforeAll(async () => {
    lab = await NetnsLab.create();
    platform = new OpenWrtPlatform({
      netns: lab.node,
      lanDevices: ['lan0'],
      // No gateway in the config: netifd's lease gives it.
      wans: wans.map(({ gateway: _g, ...w }) => w),
      meshIf: 'bat0',
      run: hybridRunner(lab.node, log, leases),
    });
    await platform.setup();
  }, 30_000);
  afterAll(async () => {
    await platform?.close();
    await lab?.destroy();
  });

  it('routes each WAN by the lease netifd reports, and follows it when it changes', async () => {
    expect(await table(101)).toContain('default via 10.91.0.1 dev wan1');
    expect(platform.wans.map((w) => [w.name, w.gateway, w.sourceAddress])).toEqual([
      ['wan1', '10.91.0.1', '10.91.0.2'],
      ['wan2', '10.92.0.1', '10.92.0.2'],
    ]);
    // A restart through netifd brings a new lease on the same device.
    leases.set('wanb', { device: 'wan2', address: '10.92.0.7', gateway: '10.92.0.9' });
    await platform.restartInterface('wan2');
    expect(await table(102)).toContain('default via 10.92.0.9 dev wan2');
    const rules = (await commandRunner({ netns: lab.node })(['ip', 'rule', 'show'])).stdout;
    expect(rules).toContain('from 10.92.0.7 lookup 102');
    expect(rules).not.toContain('from 10.92.0.2 lookup 102');
    // Interface down: no gateway, so the WAN's table routes nothing (no leak into main).
    leases.set('wanb', 'down');
    await platform.restartInterface('wan2');
    expect(await table(102)).toContain('unreachable default');
    leases.set('wanb', { device: 'wan2', address: '10.92.0.2', gateway: '10.92.0.1' });
    await platform.restartInterface('wan2');
    expect(await table(102)).toContain('default via 10.92.0.1 dev wan2');
  });
  afterAll(() => lab?.destroy());

  it('announces through batctl gw_mode in 100 kbit/s steps, and reads it back', async () => {
    await platform.setGatewayAnnouncement({
      mode: 'server',
      bandwidthDownKbit: 50_040,
      bandwidthUpKbit: 9_960,
    });
    expect(log.at(-1)).toEqual([
      'batctl',
      'meshif',
      'bat0',
      'gw_mode',
      'server',
      '50000kbit/10000kbit',
    ]);
    expect(await platform.readGwMode()).toEqual({
      mode: 'server',
      bandwidthDownKbit: 50_000,
      bandwidthUpKbit: 10_000,
    });
    // Not announcing makes it a gateway client (batman-adv's default class 20), so its clients
    // reach a neighbour's WAN.
    await platform.setGatewayAnnouncement({ mode: 'off' });
    expect(log.at(-1)).toEqual(['batctl', 'meshif', 'bat0', 'gw_mode', 'client', '20']);
    expect(await platform.readGwMode()).toEqual({ mode: 'client', selClass: 20 });
  });

  it('restarts WANs through netifd and reads gateway candidates from batctl gwj', async () => {
    await platform.restartInterface('wan2');
    // Down and up re-run the protocol handler; the status read after picks up the new lease.
    expect(log.slice(-3)).toEqual([
      ['ubus', 'call', 'network.interface.wanb', 'down'],
      ['ubus', 'call', 'network.interface.wanb', 'up'],
      ['ubus', 'call', 'network.interface.wanb', 'status'],
    ]);
    expect(
      (await platform.mesh.readGateways()).map((g) => [g.originator, g.tq, g.bandwidthDownKbit]),
    ).toEqual([
      ['02:ba:7a:00:00:02', 231, 50_000],
      ['02:ba:7a:00:00:05', 178, 100_000],
    ]);
  });

  it('refuses unsafe names at construction', () => {
    expect(
      () =>
        new OpenWrtPlatform({
          lanDevices: ['lan0'],
          wans: [{ ...wans[0]!, netifd: 'wan;reboot' }],
        }),
    ).toThrow(expect.objectContaining({ name: 'PlatformConfigError' }));
  });
});
