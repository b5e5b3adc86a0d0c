/**
 * A DHCP server for the hosts around a node (an ISP handing the node's WAN a lease), so
 * netifd's proto dhcp (OpenWrt's dhcp.sh with busybox udhcpc) is tested against a real server:
 * busybox udhcpd in the given namespace, its configuration in a temporary directory.
 *
 * @example
 * const isp = await Netns.create('isp');
 * await veth({ ns: node.netns, device: 'wan' }, { ns: isp, device: 'up0', addresses: ['100.64.1.1/24'] });
 * const dhcp = await startDhcpServer(isp, 'up0', '100.64.1.0/24'); // pool .100-.199, router .1
 * await dhcp.stop();
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIpv4, netmask, parseCidr } from '../../src/config/ipv4.ts';
import { killQuietly, type Netns } from './netns.ts';
import { track } from './resources.ts';
import { waitFor } from './wait-for.ts';

export interface DhcpServerOptions {
  /** Host numbers of the pool, inclusive. @default [100, 199] */
  pool?: [number, number];
  /** Host number of the router (and DNS server) handed out. @default 1 */
  router?: number;
  /** Lease time in seconds. @default 3600 */
  leaseS?: number;
}

export interface DhcpServer {
  /** The leases file (busybox udhcpd writes it on exit and every few minutes). */
  readonly leasesFile: string;
  stop(): Promise<void>;
}

export async function startDhcpServer(
  ns: Netns,
  device: string,
  subnet: string,
  options: DhcpServerOptions = {},
): Promise<DhcpServer> {
  const c = parseCidr(subnet);
  if (!c) throw new RangeError(`'${subnet}' is not a subnet`);
  const [first, last] = options.pool ?? [100, 199];
  const host = (n: number) => formatIpv4(c.network + n);
  const dir = await mkdtemp(join(tmpdir(), 'im-udhcpd-'));
  const leasesFile = join(dir, 'leases');
  await writeFile(leasesFile, '');
  await writeFile(
    join(dir, 'udhcpd.conf'),
    [
      `interface ${device}`,
      `start ${host(first)}`,
      `end ${host(last)}`,
      `lease_file ${leasesFile}`,
      `opt router ${host(options.router ?? 1)}`,
      `opt subnet ${netmask(c)}`,
      `opt dns ${host(options.router ?? 1)}`,
      `opt lease ${options.leaseS ?? 3600}`,
      '',
    ].join('\n'),
  );
  // -a 50: udhcpd ARP-pings an address before offering it; 2 s by default
  const child = spawn(
    'ip',
    ['netns', 'exec', ns.name, 'busybox', 'udhcpd', '-f', '-a', '50', join(dir, 'udhcpd.conf')],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  const resource = track({
    label: `udhcpd in ${ns.name}`,
    release: async () => {
      // udhcpd writes its leases file as it exits: wait for that before removing the directory
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      if (child.pid !== undefined && killQuietly(child.pid, 'SIGTERM')) {
        await waitFor('udhcpd to exit', exited, 2_000).catch(() => {
          killQuietly(child.pid!, 'SIGKILL');
        });
      }
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
    releaseSync: () => {
      if (child.pid !== undefined) killQuietly(child.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  });
  try {
    await waitFor(
      `udhcpd listening in ${ns.name}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`udhcpd exited with ${child.exitCode}`);
        return (await ns.exec(['ss', '-Hlun', 'sport = :67'])).stdout.trim() !== '';
      },
      5_000,
    );
  } catch (e) {
    await resource.release();
    throw e;
  }
  return { leasesFile, stop: () => resource.release() };
}
