/**
 * The agent package on OpenWrt's own userland: `npm run package:openwrt`'s .ipk installed by
 * opkg into a harness node (procd as PID 1, netifd, fw4, uci), started through its init script
 * (rc.common, procd.sh), reporting over mqtts:// to a controller on the internet side, and
 * healing: it reads its WANs from netifd (a DHCP lease and a static address), writes mwan3's
 * config through uci, fails over when the primary's upstream dies (a client's traffic moves and
 * the node stays online at the controller), restarts the stuck WAN through netifd, and stops
 * cleanly. See router-lab.ts for the topology.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStage, openwrtUnavailableReason, releaseAll, waitFor } from './harness.ts';
import { opensslUnavailableReason } from '../mqtt/tls-pki.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { UpgradeCampaignDetail } from '../../src/controller/store/records.ts';
import { FIRMWARE, NODE_NAME, RouterLab } from './router-lab.ts';

const NEW_FIRMWARE = 'OpenWrt 24.10.0 r28427-6df0e3d02a';

const skip = (await openwrtUnavailableReason()) ?? opensslUnavailableReason();

interface ServiceList {
  'intelli-mesh'?: { instances: { agent?: { running: boolean; pid?: number } } };
}

describe.skipIf(skip !== null)(
  `the intelli-mesh package on OpenWrt's userland${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: RouterLab;
    const pid = async () =>
      (await lab.node.ubus<ServiceList>('service', 'list', { name: 'intelli-mesh' }))[
        'intelli-mesh'
      ]?.instances.agent?.pid;
    const inNode = async (script: string) => lab.node.sh(script);

    beforeAll(async () => {
      await ensureStage((line) => console.log(line));
      lab = await RouterLab.start({
        trackIntervalMs: 1000,
        restartAfterFailedCycles: 3,
        restartBackoffMs: 60_000,
      });
    }, 300_000);
    afterAll(async () => {
      await lab?.destroy();
      await releaseAll();
    }, 60_000);

    it('installs with opkg, is enabled and started by its scripts, and comes online over mqtts', async () => {
      const ipk = await lab.packageIpk(1);
      const out = await lab.node.exec(['opkg', 'install', ipk]);
      expect(out.stdout).toContain('Installing intelli-mesh (0.0.0-1)');
      expect(await inNode('opkg list-installed intelli-mesh')).toContain('intelli-mesh - 0.0.0-1');
      // default_postinst ran the first-boot script, which enabled the service, then started it.
      expect(await inNode('ls /etc/rc.d')).toMatch(/S95intelli-mesh/);
      expect(await inNode('test -e /etc/uci-defaults/90-intelli-mesh || echo gone')).toBe('gone\n');
      expect(await inNode('stat -c %a /etc/intelli-mesh')).toBe('700\n');
      await waitFor('the agent running under procd', pid, 20_000);
      await lab.waitOnline();
      // Presence comes first; the first state report follows once both trackers have decided.
      const wans = await waitFor(
        'both WANs up in the state the controller holds',
        async () => {
          const n = (await lab.nodes()).find((x) => x.node === NODE_NAME);
          const seen = n?.state?.wans.map((w) => [w.name, w.state]);
          return seen?.every(([, state]) => state === 'up') ? seen : undefined;
        },
        30_000,
      );
      expect(wans).toEqual([
        ['wan', 'up'],
        ['wanb', 'up'],
      ]);
      expect(await inNode('/etc/init.d/intelli-mesh status')).toBe('running\n');
    }, 120_000);

    it('routes each WAN by what netifd reports: the DHCP lease and the static gateway', async () => {
      const lease = await lab.node.ubus<{ route: { target: string; nexthop: string }[] }>(
        'network.interface.wan',
        'status',
      );
      const gateway = lease.route.find((r) => r.target === '0.0.0.0')?.nexthop;
      expect(gateway).toBe('100.64.1.1');
      // The agent's config names no gateway: the tables hold netifd's.
      await waitFor(
        'the WAN tables from netifd',
        async () => {
          const t101 = await inNode('ip route show table 101');
          const t102 = await inNode('ip route show table 102');
          return t101.includes('default via 100.64.1.1 dev wan') &&
            t102.includes('default via 100.64.2.1 dev wanb')
            ? true
            : undefined;
        },
        10_000,
      );
      expect(await lab.clientCarrier()).toBe(1);
    }, 60_000);

    it('writes its running policy into /etc/config/mwan3 through uci', async () => {
      const mwan3 = await inNode('uci show mwan3');
      expect(mwan3).toContain("mwan3.wan.track_ip='198.51.100.2' '198.51.100.3'");
      expect(mwan3).toContain("mwan3.wan_m1.interface='wan'");
      expect(mwan3).toContain("mwan3.failover.use_member='wan_m1' 'wanb_m2'");
      expect(mwan3).toContain("mwan3.default_v4.use_policy='failover'");
      expect(mwan3).toContain("mwan3.globals.mmx_mask='0x3F00'");
    }, 30_000);

    it('fails over when the primary upstream dies, stays online, and restarts the WAN through netifd', async () => {
      const before = await lab.node.ubus<{ uptime?: number }>('network.interface.wan', 'status');
      await lab.blackhole(1);
      await waitFor(
        'client traffic through isp2',
        async () => (await lab.clientCarrier()) === 2,
        30_000,
      );
      // The node's own session follows the policy: it is online through wanb.
      const node = await waitFor(
        'the controller to see wan down',
        async () => {
          const n = (await lab.nodes()).find((x) => x.node === NODE_NAME);
          const wan = n?.state?.wans.find((w) => w.name === 'wan');
          return n?.online && wan?.state === 'down' ? n : undefined;
        },
        60_000,
      );
      expect(node.state?.wans.find((w) => w.name === 'wanb')).toMatchObject({ active: true });
      // Three more failed cycles, and the agent has netifd restart the WAN (DHCP again).
      const restart = await waitFor(
        'an interface-restart event at the controller',
        async () => {
          const events = (await lab.api(`/api/events?node=${NODE_NAME}`)) as {
            kind: string;
            subject: string;
          }[];
          return events.find((e) => e.kind === 'interface-restart' && e.subject === 'wan');
        },
        60_000,
      );
      expect(restart).toBeDefined();
      expect(await lab.node.logread()).toMatch(/netifd: Interface 'wan' is now down/);
      await lab.heal(1);
      await waitFor(
        'wan back through a new lease',
        async () => {
          const s = await lab.node.ubus<{ up: boolean; uptime?: number }>(
            'network.interface.wan',
            'status',
          );
          return s.up && (s.uptime ?? Infinity) < (before.uptime ?? 0) + 120 ? true : undefined;
        },
        60_000,
      );
      await waitFor(
        'client traffic back on isp1',
        async () => (await lab.clientCarrier()) === 1,
        60_000,
      );
    }, 240_000);

    it('is respawned by procd when it dies, and upgrading the package keeps the node settings', async () => {
      const first = await pid();
      await inNode(`kill -9 ${first}`);
      const second = await waitFor(
        'a respawned agent',
        async () => {
          const p = await pid();
          return p !== undefined && p !== first ? p : undefined;
        },
        30_000,
      );
      expect(second).not.toBe(first);
      await lab.waitOnline();
      // An operator's change to the service settings survives the upgrade (conffile).
      await inNode("uci set intelli-mesh.agent.respawn_timeout='7' && uci commit intelli-mesh");
      const next = await lab.packageIpk(2);
      await lab.node.exec(['opkg', 'install', next]);
      expect(await inNode('opkg list-installed intelli-mesh')).toContain('intelli-mesh - 0.0.0-2');
      expect(await inNode('uci get intelli-mesh.agent.respawn_timeout')).toBe('7\n');
      expect(await inNode('cat /etc/intelli-mesh/mqtt-password')).toBe('owrt-gw-mqtt-pw\n');
      await waitFor('the new version running', pid, 20_000);
      await lab.waitOnline();
    }, 120_000);

    it('takes a firmware upgrade from the controller: checks the image, runs sysupgrade, answers after the "reboot"', async () => {
      // sysupgrade is the device's own; here a stand-in logs its calls, passes the image test,
      // and for an install does what the reboot into the new image would: a new release file,
      // and the agent started again (its configuration and journal kept in /etc/intelli-mesh).
      await lab.node.writeFile(
        '/usr/sbin/sysupgrade',
        [
          '#!/bin/sh',
          'echo "$*" >> /tmp/sysupgrade.calls',
          '[ "$1" = "-T" ] && exit 0',
          `sed -i "s|^DISTRIB_DESCRIPTION=.*|DISTRIB_DESCRIPTION='${NEW_FIRMWARE}'|" /etc/openwrt_release`,
          "setsid sh -c 'sleep 1; /etc/init.d/intelli-mesh restart' >/dev/null 2>&1 &",
          'exit 0',
          '',
        ].join('\n'),
        0o755,
      );
      const image = randomBytes(256 * 1024);
      const base = await lab.serveFiles({ 'firmware.bin': image });
      const sha256 = createHash('sha256').update(image).digest('hex');
      const campaign = (body: Record<string, unknown>) =>
        lab.api('/api/upgrades', 'POST', {
          image_url: `${base}/firmware.bin`,
          version: NEW_FIRMWARE,
          nodes: [NODE_NAME],
          node_timeout_s: 120,
          ...body,
        }) as Promise<{ id: string }>;
      const finished = (id: string) =>
        waitFor(
          `campaign ${id} to end`,
          async () => {
            const c = (await lab.api(`/api/upgrades/${id}`)) as UpgradeCampaignDetail;
            return c.status === 'running' ? undefined : c;
          },
          120_000,
        );

      // A wrong checksum: refused after the download, sysupgrade never runs.
      const bad = await finished((await campaign({ sha256: 'f'.repeat(64) })).id);
      expect(bad.status).toBe('stopped');
      expect(bad.nodes[0]).toMatchObject({ state: 'failed', code: 'checksum' });
      expect(await inNode('cat /tmp/sysupgrade.calls 2>/dev/null || echo none')).toBe('none\n');

      const good = await finished((await campaign({ sha256 })).id);
      expect(good.status).toBe('done');
      expect(good.nodes[0]).toMatchObject({
        state: 'done',
        from_version: FIRMWARE,
        version: NEW_FIRMWARE,
      });
      // The image test first, then the install, of the image downloaded to /tmp; never -n.
      const calls = (await inNode('cat /tmp/sysupgrade.calls')).trim().split('\n');
      expect(calls).toHaveLength(2);
      expect(calls[0]).toMatch(/^-T \/tmp\/\S+$/);
      expect(calls[1]).toBe(calls[0]!.replace('-T ', ''));
      const node = (await lab.nodes()).find((n) => n.node === NODE_NAME);
      expect(node).toMatchObject({ online: true, state: { firmware_version: NEW_FIRMWARE } });
    }, 240_000);

    it('stops through its init script: offline at the controller, no routing state left', async () => {
      await lab.node.exec(['/etc/init.d/intelli-mesh', 'stop']);
      await lab.waitOnline(false);
      expect(await inNode('nft list tables')).not.toContain('intelli_mesh');
      expect(await inNode('ip rule show')).not.toMatch(/lookup (101|102|100|350)\b/);
      expect(await inNode('ip route show table 101')).toBe('');
      // A crash leaves state behind; the stop's cleanup removes it.
      await lab.node.exec(['/etc/init.d/intelli-mesh', 'start']);
      await lab.waitOnline();
      await inNode(`kill -9 ${await pid()} && /etc/init.d/intelli-mesh stop`);
      expect(await inNode('nft list tables')).not.toContain('intelli_mesh');
      expect(await inNode('ip rule show')).not.toMatch(/lookup (101|102)\b/);
    }, 120_000);
  },
);
