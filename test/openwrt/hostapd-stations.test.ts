/**
 * The OpenWrt platform reads Wi-Fi stations from hostapd over a real ubusd: OpenWrt's userland
 * boots in namespaces, and a stand-in (a ucode script) registers the ubus object `hostapd.wlan0`
 * answering `get_status` and `get_clients` in the shape OpenWrt's hostapd sends (the fixtures of
 * test/platform/fixtures). The platform finds it with `ubus list 'hostapd.*'` and takes the
 * authorized stations; when a station goes it is gone from the next reading; with no hostapd
 * object there is no station. Needs root; skips with the reason otherwise.
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailedError } from '../../src/platform/errors.ts';
import type { CommandRunner } from '../../src/platform/linux/command-runner.ts';
import { OpenWrtPlatform } from '../../src/platform/openwrt/openwrt-platform.ts';
import { OpenWrtNode, openwrtUnavailableReason, releaseAll } from './harness.ts';

const skip = await openwrtUnavailableReason();
const fixture = (name: string) =>
  readFileSync(new URL(`../platform/fixtures/${name}`, import.meta.url), 'utf8');

/** A BSS object on ubus that answers from files, as hostapd answers from its station list. */
const standIn = `
import * as ubus from 'ubus';
import * as uloop from 'uloop';
import { readfile } from 'fs';
uloop.init();
let conn = ubus.connect();
conn.publish('hostapd.wlan0', {
	get_status: { call: function(req) { return json(readfile('/tmp/hostapd-status.json')); }, args: {} },
	get_clients: { call: function(req) { return json(readfile('/tmp/hostapd-clients.json')); }, args: {} },
});
uloop.run();
`;

describe.skipIf(skip !== null)(
  `hostapd stations over ubus${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: OpenWrtNode;
    let hostapd: ChildProcess | undefined;

    beforeAll(async () => {
      node = await OpenWrtNode.boot({ name: 'ap', services: [] });
      await node.writeFile('/tmp/hostapd-standin.uc', standIn);
      await node.writeFile('/tmp/hostapd-status.json', fixture('ubus-hostapd-get-status.json'));
      await node.writeFile('/tmp/hostapd-clients.json', fixture('ubus-hostapd-get-clients.json'));
      hostapd = node.spawn(['ucode', '/tmp/hostapd-standin.uc']);
      await node.waitFor(
        'hostapd.wlan0 on ubus',
        async () =>
          (await node.exec(['ubus', 'list', 'hostapd.*'], { allowFailure: true })).stdout.includes(
            'hostapd.wlan0',
          ),
        15_000,
      );
    }, 90_000);

    afterAll(async () => {
      hostapd?.kill();
      await node?.stop();
      await releaseAll();
    });

    it('lists the authorized stations of every hostapd BSS, and none without hostapd', async () => {
      const calls: string[] = [];
      const run: CommandRunner = async (argv, opts) => {
        calls.push(argv.join(' '));
        const r = await node.exec(argv, { allowFailure: true });
        if (r.code !== 0 && !opts?.allowFailure)
          throw new CommandFailedError(argv, r.code, r.stderr);
        return r;
      };
      const platform = new OpenWrtPlatform({ wans: [], lanDevices: ['br-lan'], run });
      expect(await platform.readStations()).toEqual([
        { mac: '02:1a:11:f4:90:3c', ssid: 'staff', iface: 'wlan0', signalDbm: -71 },
        { mac: 'aa:bb:cc:dd:ee:01', ssid: 'staff', iface: 'wlan0', signalDbm: -52 },
      ]);
      expect(calls).toEqual([
        'ubus list hostapd.*',
        'ubus call hostapd.wlan0 get_status',
        'ubus call hostapd.wlan0 get_clients',
      ]);

      const clients = JSON.parse(fixture('ubus-hostapd-get-clients.json')) as {
        clients: Record<string, unknown>;
      };
      delete clients.clients['02:1a:11:f4:90:3c'];
      await node.writeFile('/tmp/hostapd-clients.json', JSON.stringify(clients));
      expect((await platform.readStations()).map((s) => s.mac)).toEqual(['aa:bb:cc:dd:ee:01']);

      // The stand-in is the only ucode in the node (nsenter's own pid does not carry signals in).
      await node.sh('kill $(pidof ucode)');
      await node.waitFor(
        'hostapd.wlan0 gone from ubus',
        async () =>
          !(await node.exec(['ubus', 'list'], { allowFailure: true })).stdout.includes('hostapd.'),
        10_000,
      );
      expect(await platform.readStations()).toEqual([]);
    });
  },
);
