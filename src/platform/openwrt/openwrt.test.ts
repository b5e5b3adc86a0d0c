import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrackerOptions } from '../../agent/health/tracker-options.ts';
import { parsePolicyConfig } from '../../agent/policy/policy-config.ts';
import { gwModeCommand, parseGwMode } from './batctl-gw-mode.ts';
import { parseInterfaceEvent, parseInterfaceStatus, ubusInterfaceCall } from './ubus-network.ts';
import { mwan3Sections, renderMwan3Batch, staleMwan3Sections } from './uci-mwan3.ts';

// Outputs written by us in the formats batctl (gw_mode.c print strings), netifd and uci print;
// addresses from documentation ranges; none captured from a device. Their shapes were checked
// against real outputs posted in public threads:
// - `ubus call network.interface.<if> status` / `ifstatus`: DHCP (openwrt/luci#1947,
//   https://github.com/openwrt/luci/issues/1947), PPPoE whose l3_device differs from its device
//   (https://github.com/Ysurac/openmptcprouter/issues/411), DHCPv6 with no IPv4 address and
//   routes with nexthop "::" (https://github.com/Ysurac/openmptcprouter/issues/3427). Routes
//   come in any order (DNS host routes with nexthop 0.0.0.0 before the default) and may carry
//   mtu, metric, valid and source.
// - `uci show mwan3`: https://github.com/openwrt/packages/issues/14840 (interface options,
//   lists printed as space-separated quoted values, the globals section).
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/platform/fixtures/${name}`, import.meta.url), 'utf8');

describe('batctl gw_mode', () => {
  it.each([
    ['off\n', { mode: 'off' }],
    ['client (selection class: 20)\n', { mode: 'client', selClass: 20 }],
    [
      'server (announced bw: 50.0/10.0 MBit)\n',
      { mode: 'server', bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 },
    ],
    [
      'server (announced bw: 0.5/0.1 MBit)',
      { mode: 'server', bandwidthDownKbit: 500, bandwidthUpKbit: 100 },
    ],
  ])('parses %j', (text, mode) => {
    expect(parseGwMode(text)).toEqual(mode);
  });

  it('round-trips announcements through the command and the printout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        (d, u) => {
          const a = {
            mode: 'server' as const,
            bandwidthDownKbit: d * 100,
            bandwidthUpKbit: u * 100,
          };
          const argv = gwModeCommand('bat0', a);
          // What batctl would print for the value the kernel stores (100 kbit/s units).
          const printed = `server (announced bw: ${Math.floor(d / 10)}.${d % 10}/${Math.floor(u / 10)}.${u % 10} MBit)`;
          return (
            argv.at(-1) === `${d * 100}kbit/${u * 100}kbit` &&
            JSON.stringify(parseGwMode(printed)) === JSON.stringify(a)
          );
        },
      ),
    );
    expect(gwModeCommand('bat0', { mode: 'client', selClass: 20 })).toEqual([
      'batctl',
      'meshif',
      'bat0',
      'gw_mode',
      'client',
      '20',
    ]);
  });

  it('rejects unknown output and unsafe arguments', () => {
    expect(() => parseGwMode('batctl: Error - mesh interface bat0 does not exist')).toThrow(
      expect.objectContaining({ name: 'OpenWrtOutputError' }),
    );
    expect(() => gwModeCommand('bat0;reboot', { mode: 'off' })).toThrow(
      expect.objectContaining({ name: 'PlatformConfigError' }),
    );
    expect(() =>
      gwModeCommand('bat0', { mode: 'server', bandwidthDownKbit: 50, bandwidthUpKbit: 100 }),
    ).toThrow(expect.objectContaining({ name: 'PlatformConfigError' }));
  });
});

describe('ubus network.interface', () => {
  it('parses interface status', () => {
    expect(parseInterfaceStatus(fixture('ubus-wan-status.json'))).toEqual({
      up: true,
      device: 'eth1',
      gateway: '192.0.2.1',
      ipv4: ['192.0.2.10/24'],
      uptimeS: 86_231,
    });
    expect(
      parseInterfaceStatus(
        '{"up":false,"pending":false,"available":true,"autostart":true,"device":"wwan0"}',
      ),
    ).toEqual({
      up: false,
      device: 'wwan0',
      gateway: null,
      ipv4: [],
      uptimeS: null,
    });
    // PPPoE: the L3 device is the ppp one; the default route is found among host routes.
    expect(parseInterfaceStatus(fixture('ubus-pppoe-status.json'))).toEqual({
      up: true,
      device: 'pppoe-wan',
      gateway: '203.0.113.1',
      ipv4: ['203.0.113.77/32'],
      uptimeS: 5120,
    });
    // IPv6 only: no IPv4 address and no IPv4 gateway, without an error.
    expect(parseInterfaceStatus(fixture('ubus-wan6-status.json'))).toMatchObject({
      up: true,
      device: 'eth1',
      gateway: null,
      ipv4: [],
    });
    expect(() => parseInterfaceStatus('{"pending":false}')).toThrow(
      expect.objectContaining({ name: 'OpenWrtOutputError' }),
    );
    expect(ubusInterfaceCall('wan', 'down')).toEqual([
      'ubus',
      'call',
      'network.interface.wan',
      'down',
    ]);
    expect(() => ubusInterfaceCall('wan.x', 'up')).toThrow(
      expect.objectContaining({ name: 'PlatformConfigError' }),
    );
  });

  it('reads netifd interface events from ubus listen, and nothing else', () => {
    // The line format of ubus' cli.c: `{ "<type>": <message as JSON> }`.
    expect(
      parseInterfaceEvent('{ "network.interface": {"action":"ifupdate","interface":"wan"} }'),
    ).toEqual({ action: 'ifupdate', interface: 'wan' });
    for (const other of [
      '{ "network.device": {"action":"link_up","device":"eth1"} }',
      '{ "network.interface": {"action":"ifup"} }',
      '{ "network.interface": ',
      '',
    ])
      expect(parseInterfaceEvent(other)).toBeNull();
  });
});

describe('mwan3 uci batch', () => {
  const policy = parsePolicyConfig({
    members: [
      { name: 'wan_m1_w3', wan: 'wan', metric: 1, weight: 3 },
      { name: 'lte_m2', wan: 'lte', metric: 2 },
    ],
    policies: [{ name: 'failover', members: ['wan_m1_w3', 'lte_m2'], lastResort: 'unreachable' }],
    rules: [
      {
        name: 'https',
        destIp: '0.0.0.0/0',
        proto: 'tcp',
        destPort: 443,
        sticky: true,
        timeoutMs: 600_000,
        policy: 'failover',
      },
    ],
  });

  it('renders interfaces, members, policies and rules in mwan3 terms (golden)', () => {
    const batch = renderMwan3Batch({
      policy,
      interfaces: [
        {
          name: 'wan',
          tracker: parseTrackerOptions({
            targets: ['192.0.2.53', '198.51.100.53'],
            reliability: 1,
            intervalMs: 5000,
          }),
        },
        {
          name: 'lte',
          tracker: parseTrackerOptions({
            targets: ['192.0.2.53'],
            method: 'http',
            checkQuality: true,
          }),
        },
      ],
    });
    const lines = batch.split('\n');
    expect(lines.slice(0, 20)).toEqual([
      'set mwan3.wan=interface',
      "set mwan3.wan.enabled='1'",
      "set mwan3.wan.family='ipv4'",
      'delete mwan3.wan.track_ip',
      "add_list mwan3.wan.track_ip='192.0.2.53'",
      "add_list mwan3.wan.track_ip='198.51.100.53'",
      "set mwan3.wan.track_method='ping'",
      "set mwan3.wan.reliability='1'",
      "set mwan3.wan.count='1'",
      "set mwan3.wan.timeout='4'",
      "set mwan3.wan.interval='5'",
      "set mwan3.wan.failure_interval='5'",
      "set mwan3.wan.recovery_interval='5'",
      "set mwan3.wan.keep_failure_interval='0'",
      "set mwan3.wan.down='5'",
      "set mwan3.wan.up='5'",
      "set mwan3.wan.initial_state='online'",
      "set mwan3.wan.check_quality='0'",
      'set mwan3.lte=interface',
      "set mwan3.lte.enabled='1'",
    ]);
    expect(lines).toContain("set mwan3.lte.track_method='httping'");
    expect(lines).toContain("set mwan3.lte.failure_loss='40'");
    expect(lines).toContain("set mwan3.wan_m1_w3.weight='3'");
    expect(lines).toContain("add_list mwan3.failover.use_member='lte_m2'");
    expect(lines).toContain("set mwan3.failover.last_resort='unreachable'");
    expect(lines.slice(-8)).toEqual([
      'set mwan3.https=rule',
      "set mwan3.https.dest_ip='0.0.0.0/0'",
      "set mwan3.https.proto='tcp'",
      "set mwan3.https.dest_port='443'",
      "set mwan3.https.sticky='1'",
      "set mwan3.https.timeout='600'",
      "set mwan3.https.use_policy='failover'",
      '',
    ]);
  });

  it('sets only options a real `uci show mwan3` has, per section type', () => {
    const real = new Map<string, Set<string>>();
    const typeOf = new Map<string, string>();
    for (const line of fixture('uci-show-mwan3.txt').trim().split('\n')) {
      const section = /^mwan3\.([^.=]+)=(\w+)$/.exec(line);
      if (section) {
        typeOf.set(section[1]!, section[2]!);
        continue;
      }
      const option = /^mwan3\.([^.=]+)\.([^=]+)=/.exec(line)!;
      const type = typeOf.get(option[1]!)!;
      real.set(type, (real.get(type) ?? new Set()).add(option[2]!));
    }
    const batch = renderMwan3Batch({
      policy,
      interfaces: ['wan', 'lte'].map((name) => ({
        name,
        tracker: parseTrackerOptions({ targets: ['192.0.2.53'] }),
      })),
    });
    const ours = new Map<string, string>();
    for (const line of batch.trim().split('\n')) {
      const section = /^set mwan3\.([^.=]+)=(\w+)$/.exec(line);
      if (section) ours.set(section[1]!, section[2]!);
    }
    const unknown = batch
      .trim()
      .split('\n')
      .map((line) => /^(?:set|add_list) mwan3\.([^.=]+)\.([^=]+)=/.exec(line))
      .filter((m) => m !== null)
      .filter((m) => !real.get(ours.get(m[1]!)!)?.has(m[2]!))
      .map((m) => `${ours.get(m[1]!)}.${m[2]}`);
    expect(unknown).toEqual([]);
    expect([...new Set(ours.values())].sort()).toEqual(['interface', 'member', 'policy', 'rule']);
  });

  it('deletes the sections it owns but no longer writes, anonymous ones last to first', () => {
    const shown = [
      'mwan3.globals=globals',
      'mwan3.wan=interface',
      'mwan3.old_wan=interface',
      'mwan3.wan_m1=member',
      'mwan3.gone_m=member',
      'mwan3.@rule[0]=rule',
      'mwan3.@rule[1]=rule',
      'mwan3.gone_m.metric=2',
    ].join('\n');
    expect(staleMwan3Sections(shown, new Set(['wan', 'wan_m1']))).toEqual([
      'delete mwan3.old_wan',
      'delete mwan3.gone_m',
      'delete mwan3.@rule[1]',
      'delete mwan3.@rule[0]',
    ]);
    const real = readFileSync(
      new URL('../../../test/platform/fixtures/uci-show-mwan3.txt', import.meta.url),
      'utf8',
    );
    const written = mwan3Sections({
      policy,
      interfaces: ['wan', 'lte'].map((name) => ({
        name,
        tracker: parseTrackerOptions({ targets: ['192.0.2.53'] }),
      })),
    });
    // The real printout's globals section is never ours to delete.
    expect(staleMwan3Sections(real, written)).not.toContain('delete mwan3.globals');
  });

  it('refuses what mwan3 cannot express', () => {
    const fast = parseTrackerOptions({ targets: ['192.0.2.53'], intervalMs: 100, timeoutMs: 100 });
    expect(() =>
      renderMwan3Batch({
        policy,
        interfaces: [
          { name: 'wan', tracker: fast },
          { name: 'lte', tracker: fast },
        ],
      }),
    ).toThrow(expect.objectContaining({ name: 'Mwan3RenderError' }));
    const slow = parseTrackerOptions({ targets: ['192.0.2.53'] });
    expect(() =>
      renderMwan3Batch({ policy, interfaces: [{ name: 'wan', tracker: slow }] }),
    ).toThrow(/WAN 'lte', which has no interface/);
  });
});
