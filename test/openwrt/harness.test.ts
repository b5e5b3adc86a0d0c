/**
 * The harness itself, on the path the agent's packaging will take: boot a node with files of
 * our own, put an .ipk into it, `opkg install` it (it `Depends: node`, met by the stand-in node
 * package), let its procd init script start a Node.js service, and shut the node down cleanly
 * without a trace on the host. Needs root; skips with the reason otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  harnessIpk,
  ensureStage,
  liveResources,
  Netns,
  OpenWrtNode,
  openwrtUnavailableReason,
  releaseAll,
} from './harness.ts';
import { hostNodeInNode } from './ipk.ts';
import { runCommand } from './run-command.ts';

const skip = await openwrtUnavailableReason();

const initScript = `#!/bin/sh /etc/rc.common
START=95
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /usr/bin/node /usr/share/harness-hello/main.js
	procd_set_param respawn
	procd_close_instance
}
`;

const helloIpk = harnessIpk({
  name: 'harness-hello',
  version: '1.0-1',
  depends: ['node'],
  description: 'harness-hello (Intelli-Mesh harness package)',
  files: [
    { path: 'etc/init.d/harness-hello', mode: 0o755, content: initScript },
    {
      path: 'usr/share/harness-hello/main.js',
      mode: 0o644,
      content: "process.title = 'harness-hello'; setInterval(() => undefined, 60_000);\n",
    },
  ],
  scripts: {
    postinst:
      '#!/bin/sh\n[ -n "$IPKG_INSTROOT" ] || { /etc/init.d/harness-hello enable; /etc/init.d/harness-hello start; }\nexit 0\n',
    prerm:
      '#!/bin/sh\n[ -n "$IPKG_INSTROOT" ] || { /etc/init.d/harness-hello stop; /etc/init.d/harness-hello disable; }\nexit 0\n',
  },
});

/** Host paths a node writes inside itself: they must look the same on the host afterwards. */
const hostPaths = [
  '/etc/config',
  '/etc/harness',
  '/usr/lib/opkg/status',
  '/etc/init.d/harness-hello',
];

/** Host sysctls OpenWrt's sysctl init sets: in a node /proc/sys is read-only outside net/. */
const hostSysctls = ['/proc/sys/kernel/panic', '/proc/sys/vm/min_free_kbytes'];

describe.skipIf(skip !== null)('OpenWrt namespace harness', () => {
  const before = new Map(hostPaths.map((p) => [p, existsSync(p)]));
  const sysctlsBefore = hostSysctls.map((p) => readFileSync(p, 'utf8'));
  let files = '';
  let node: OpenWrtNode | undefined;
  let client: Netns | undefined;
  const booted = () => {
    if (!node) throw new Error('the node did not boot');
    return node;
  };

  beforeAll(async () => {
    await ensureStage((line) => console.log(line));
    files = await mkdtemp(join(tmpdir(), 'im-harness-files-'));
    await runCommand(['mkdir', '-p', join(files, 'etc/config')]);
    await writeFile(
      join(files, 'etc/config/network'),
      "config interface 'loopback'\n\toption device 'lo'\n\toption proto 'static'\n\toption ipaddr '127.0.0.1'\n\toption netmask '255.0.0.0'\n\n" +
        "config device\n\toption name 'br-lan'\n\toption type 'bridge'\n\tlist ports 'lan1'\n\n" +
        "config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\n\toption ipaddr '192.168.1.1'\n\toption netmask '255.255.255.0'\n",
    );
    client = await Netns.create('client');
    node = await OpenWrtNode.boot({
      name: 'harness',
      files,
      links: [
        { device: 'lan1', peer: client, peerDevice: 'eth0', peerAddresses: ['192.168.1.10/24'] },
      ],
      nodePackage: true,
    });
  }, 30 * 60_000);

  afterAll(async () => {
    await node?.stop();
    await client?.destroy();
    await releaseAll();
    if (files) await rm(files, { recursive: true, force: true });
  }, 60_000);

  it('boots procd as PID 1 with ubus, uci and netifd', async () => {
    const n = booted();
    expect((await n.exec(['cat', '/proc/1/comm'])).stdout.trim()).toBe('procd');
    expect((await n.exec(['hostname'])).stdout.trim()).toBe('harness');
    // base-files' sysctl defaults applied to the node's own network namespace
    expect((await n.exec(['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim()).toBe('1');
    const services = await n.ubus<Record<string, unknown>>('service', 'list');
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['ubus', 'log', 'network']));
    expect(await n.logread()).toContain('procd: - init complete -');
    await n.uci('set', 'network.lan.ipaddr=192.168.1.2');
    expect((await n.uci('changes', 'network')).trim()).toBe("network.lan.ipaddr='192.168.1.2'");
    await n.waitFor(
      'lan up',
      async () => (await n.ubus<{ up: boolean }>('network.interface.lan', 'status')).up,
      10_000,
    );
    const ping = await client!.exec(['ping', '-c', '1', '-W', '2', '192.168.1.1'], {
      allowFailure: true,
    });
    expect(ping.code).toBe(0);
  });

  it('moves files in: writeFile, copyIn, shareDir', async () => {
    const n = booted();
    await n.writeFile('/etc/harness/one', 'one\n');
    expect((await n.exec(['cat', '/etc/harness/one'])).stdout).toBe('one\n');
    const host = join(n.shareDir, 'two');
    await writeFile(host, 'two\n');
    expect((await n.exec(['cat', host])).stdout).toBe('two\n');
    await n.copyIn(host, '/usr/share/harness/two');
    expect((await n.exec(['cat', '/usr/share/harness/two'])).stdout).toBe('two\n');
  });

  it('installs an .ipk that depends on node; its procd service runs Node.js', async () => {
    const n = booted();
    const ipk = join(n.shareDir, 'harness-hello_1.0-1_all.ipk');
    await writeFile(ipk, helloIpk);
    await n.exec(['opkg', 'install', ipk]);
    const installed = (await n.exec(['opkg', 'list-installed'])).stdout;
    expect(installed).toContain('harness-hello - 1.0-1');
    expect(installed).toContain(`node - ${process.versions.node}-1`);
    await n.waitFor(
      'harness-hello running',
      async () =>
        (await n.exec(['/etc/init.d/harness-hello', 'status'])).stdout.trim() === 'running',
      10_000,
    );
    const pid = (
      await n.sh(
        'ubus call service list \'{"name":"harness-hello"}\' | jsonfilter -e \'@["harness-hello"].instances.instance1.pid\'',
      )
    ).trim();
    // main.js sets its title, and the stand-in /usr/bin/node exec'd the host's Node.js
    expect((await n.exec(['cat', `/proc/${pid}/cmdline`])).stdout).toContain('harness-hello');
    expect((await n.exec(['readlink', `/proc/${pid}/exe`])).stdout.trim()).toBe(hostNodeInNode);
    expect((await n.exec(['node', '-p', 'process.version'])).stdout.trim()).toBe(process.version);
    await n.exec(['opkg', 'remove', 'harness-hello']);
    expect(
      (await n.exec(['test', '-e', '/etc/init.d/harness-hello'], { allowFailure: true })).code,
    ).not.toBe(0);
  });

  it('writes nothing to the host, and stop() removes every trace', async () => {
    const n = booted();
    for (const p of hostPaths) expect(existsSync(p), p).toBe(before.get(p));
    expect(hostSysctls.map((p) => readFileSync(p, 'utf8'))).toEqual(sysctlsBefore);
    const netns = n.netns.name;
    await n.stop();
    expect((await runCommand(['ip', 'netns', 'list'])).stdout).not.toContain(netns);
    expect(existsSync(n.workDir)).toBe(false);
    expect(liveResources().filter((r) => r.includes(netns))).toEqual([]);
  });
});
