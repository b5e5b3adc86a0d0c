/**
 * The agent on OpenWrt reports its Wi-Fi stations: read from hostapd over ubus (answered from
 * fixtures in hostapd's shape), carried in the state as `stations` that the controller's schema
 * accepts, with client-associated / client-left events as they come and go; a malformed answer
 * keeps the last good list.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostPlatform } from '../../cli/host-platform.ts';
import type { MeshEvent } from '../../core/events.ts';
import { VirtualScheduler } from '../../core/virtual-scheduler.ts';
import { stateSchema } from '../../mqtt/messages.ts';
import type { CommandRunner } from '../../platform/linux/command-runner.ts';
import { validateAgentConfig } from '../agent-config.ts';
import { HostAgent } from '../host-agent.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/platform/fixtures/${name}`, import.meta.url), 'utf8');

async function runFor(s: VirtualScheduler, ms: number): Promise<void> {
  const end = s.now() + ms;
  while (s.now() < end) {
    s.advance(10);
    await new Promise((r) => setImmediate(r));
  }
}

describe('HostAgent Wi-Fi stations on OpenWrt', () => {
  it('reports hostapd stations and their comings and goings', async () => {
    const ok = (stdout = '') => ({ stdout, stderr: '', code: 0 });
    let clients = fixture('ubus-hostapd-get-clients.json');
    const run: CommandRunner = async (argv) => {
      const line = argv.join(' ');
      if (line === 'ubus list hostapd.*') return ok('hostapd.wlan0\n');
      if (line === 'ubus call hostapd.wlan0 get_status')
        return ok(fixture('ubus-hostapd-get-status.json'));
      if (line === 'ubus call hostapd.wlan0 get_clients') return ok(clients);
      if (argv[0] === 'ping') return ok('rtt min/avg/max/mdev = 2.0/2.0/2.0/0.0 ms');
      if (argv[0] === 'ubus' && argv[3] === 'status') return ok(fixture('ubus-wan-status.json'));
      return ok();
    };
    const s = new VirtualScheduler(1_800_000_000_000);
    const events: MeshEvent[] = [];
    const host = new HostAgent({
      scheduler: s,
      onEvent: (e) => events.push(e),
      platform: (c) => hostPlatform(c, { run }),
      stationPollMs: 1_000,
    });
    const track = { targets: ['198.51.100.2'], intervalMs: 1000, timeoutMs: 1000, down: 3, up: 2 };
    const cfg = validateAgentConfig(
      {
        node: 'n7',
        lanDevices: ['lan0'],
        wans: [{ name: 'wan1', device: 'wan1', track }],
        policy: {
          members: [{ name: 'a', wan: 'wan1', metric: 1 }],
          policies: [{ name: 'p', members: ['a'] }],
          rules: [{ name: 'default', destIp: '0.0.0.0/0', policy: 'p' }],
        },
        platform: 'openwrt',
      },
      'test',
    );
    const start = host.start(cfg);
    await runFor(s, 300);
    await start;
    try {
      const t0 = s.now();
      let report = host.report();
      expect(report.stations).toEqual([
        expect.objectContaining({
          mac: '02:1a:11:f4:90:3c',
          ssid: 'staff',
          iface: 'wlan0',
          signal_dbm: -71,
        }),
        expect.objectContaining({
          mac: 'aa:bb:cc:dd:ee:01',
          ssid: 'staff',
          iface: 'wlan0',
          signal_dbm: -52,
        }),
      ]);
      expect(report.clients).toBe(2);
      // What the controller validates: the whole state with these stations is accepted.
      const parsed = stateSchema.safeParse({ node: 'n7', at: s.now(), ...report });
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const associated = events.filter((e) => e.kind === 'client-associated');
      expect(associated.map((e) => [e.subject, e.ssid, e.node])).toEqual([
        ['02:1a:11:f4:90:3c', 'staff', 'n7'],
        ['aa:bb:cc:dd:ee:01', 'staff', 'n7'],
      ]);
      expect(associated[1]!.reason).toBe("client aa:bb:cc:dd:ee:01 associated to n7 on 'staff'");

      // One station goes; hostapd then answers garbage once: the last good list stays.
      const json = JSON.parse(clients) as { clients: Record<string, unknown> };
      delete json.clients['aa:bb:cc:dd:ee:01'];
      clients = JSON.stringify(json);
      await runFor(s, 1_000);
      expect(events.filter((e) => e.kind === 'client-left').map((e) => e.subject)).toEqual([
        'aa:bb:cc:dd:ee:01',
      ]);
      clients = 'Command failed: Not found';
      await runFor(s, 2_000);
      report = host.report();
      expect(report.stations?.map((st) => st.mac)).toEqual(['02:1a:11:f4:90:3c']);
      // Its association time is when the agent first listed it, not each reading's.
      expect(Date.parse(report.stations![0]!.since)).toBeLessThanOrEqual(t0);
      expect(events.filter((e) => e.kind.startsWith('client-'))).toHaveLength(3);
    } finally {
      const stop = host.stop();
      await runFor(s, 100);
      await stop;
    }
  });
});
