/**
 * A throw-away lab of network namespaces for the Linux platform's tests and the failover bench:
 *
 *   client (c0 10.99.0.2) -- (lan0 10.99.0.1) node (wan1 10.91.0.2) -- (up0 10.91.0.1) isp1
 *                                                (wan2 10.92.0.2) -- (up0 10.92.0.1) isp2
 *
 * Both ISPs hold the same "internet" addresses on their loopback (198.51.100.1 for client
 * traffic, .2 and .3 as probe targets) and count client traffic in a named nftables counter,
 * so a test can tell which WAN carried it. Faults: carrier loss (`linkDown`) and a silent
 * blackhole (`blackhole`, an nftables drop in the ISP). `destroy()` deletes every namespace.
 *
 * @example
 * const lab = await NetnsLab.create();
 * try { await lab.blackhole(1); } finally { await lab.destroy(); }
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PlatformHarness } from './compliance.ts';

const exec = promisify(execFile);

export const INTERNET = '198.51.100.1';
export const PROBE_TARGETS = ['198.51.100.2', '198.51.100.3'];

async function sh(argv: string[], input?: string): Promise<string> {
  if (input === undefined) return (await exec(argv[0]!, argv.slice(1))).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(input);
  });
}

/** Why the lab cannot run here, or null when it can (root, ip netns, nft, conntrack, ping). */
export async function labUnavailableReason(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  for (const tool of [
    ['ip', 'netns', 'list'],
    ['nft', '--version'],
    ['conntrack', '--version'],
    ['ping', '-V'],
  ]) {
    try {
      await exec(tool[0]!, tool.slice(1));
    } catch {
      return `'${tool.join(' ')}' is not available`;
    }
  }
  return null;
}

/** An ISP that silently drops everything arriving on its `up0` (from the node); `heal` removes it. */
export const BLACKHOLE_UP0 =
  'table inet fault {\n chain pre {\n  type filter hook prerouting priority -300; policy accept;\n  iifname "up0" drop\n }\n}\n';

let counter = 0;

export class NetnsLab {
  readonly node: string;
  readonly client: string;
  readonly isps: [string, string];
  private readonly all: string[];

  private constructor(prefix: string) {
    this.node = `${prefix}-node`;
    this.client = `${prefix}-cli`;
    this.isps = [`${prefix}-isp1`, `${prefix}-isp2`];
    this.all = [this.node, this.client, ...this.isps];
  }

  static async create(): Promise<NetnsLab> {
    const lab = new NetnsLab(`imt${process.pid % 100_000}x${counter++}`);
    try {
      await lab.build();
    } catch (e) {
      await lab.destroy();
      throw e;
    }
    return lab;
  }

  private async build(): Promise<void> {
    for (const ns of this.all) await sh(['ip', 'netns', 'add', ns]);
    for (const ns of this.all) await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await this.veth(this.client, 'c0', '10.99.0.2/24', this.node, 'lan0', '10.99.0.1/24');
    await sh(['ip', '-n', this.client, 'route', 'add', 'default', 'via', '10.99.0.1']);
    for (const [i, isp] of this.isps.entries()) {
      const n = i + 1;
      await this.veth(this.node, `wan${n}`, `10.9${n}.0.2/24`, isp, 'up0', `10.9${n}.0.1/24`);
      for (const a of [INTERNET, ...PROBE_TARGETS])
        await sh(['ip', '-n', isp, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
      await sh(
        ['ip', 'netns', 'exec', isp, 'nft', '-f', '-'],
        `table inet lab {\n counter client_in {}\n chain in {\n  type filter hook input priority 0; policy accept;\n  iifname "up0" ip daddr ${INTERNET} counter name client_in\n }\n}\n`,
      );
    }
    await sh(['ip', 'netns', 'exec', this.node, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0']);
  }

  private async veth(
    nsA: string,
    a: string,
    addrA: string,
    nsB: string,
    b: string,
    addrB: string,
  ): Promise<void> {
    const tmp = `v${process.pid % 10_000}${counter++}`;
    await sh(['ip', 'link', 'add', `${tmp}a`, 'type', 'veth', 'peer', 'name', `${tmp}b`]);
    await sh(['ip', 'link', 'set', `${tmp}a`, 'netns', nsA, 'name', a]);
    await sh(['ip', 'link', 'set', `${tmp}b`, 'netns', nsB, 'name', b]);
    await sh(['ip', '-n', nsA, 'addr', 'add', addrA, 'dev', a]);
    await sh(['ip', '-n', nsB, 'addr', 'add', addrB, 'dev', b]);
    await sh(['ip', '-n', nsA, 'link', 'set', a, 'up']);
    await sh(['ip', '-n', nsB, 'link', 'set', b, 'up']);
  }

  /** Packets of client traffic each ISP received so far. */
  async clientPackets(): Promise<[number, number]> {
    const read = async (isp: string) => {
      const out = await sh([
        'ip',
        'netns',
        'exec',
        isp,
        'nft',
        '-j',
        'list',
        'counter',
        'inet',
        'lab',
        'client_in',
      ]);
      const m = /"packets":\s*(\d+)/.exec(out);
      return m ? Number(m[1]) : 0;
    };
    return [await read(this.isps[0]), await read(this.isps[1])];
  }

  /** One ping from the client to the internet address; true when it came back. */
  async clientPing(timeoutS = 1): Promise<boolean> {
    try {
      await sh([
        'ip',
        'netns',
        'exec',
        this.client,
        'ping',
        '-n',
        '-q',
        '-c',
        '1',
        '-W',
        String(timeoutS),
        INTERNET,
      ]);
      return true;
    } catch {
      return false;
    }
  }

  /** Which ISP carries a fresh client ping now: 1, 2, or 0 when it is lost. */
  /**
   * What every platform harness over this lab has in common: two WANs, the probe target, which
   * WAN carries client traffic, and the ISP-side blackhole/heal. Each suite adds its platform
   * and its own residue check and teardown.
   */
  harnessFields(): Omit<PlatformHarness, 'platform' | 'residue' | 'destroy'> {
    return {
      wans: ['wan1', 'wan2'],
      devices: ['wan1', 'wan2'],
      probeTarget: PROBE_TARGETS[0]!,
      carrier: async () => {
        const c = await this.carrierOfClientTraffic();
        return c === 0 ? null : ((c - 1) as 0 | 1);
      },
      breakWan: (i) => this.blackhole((i + 1) as 1 | 2),
      healWan: (i) => this.heal((i + 1) as 1 | 2),
    };
  }

  async carrierOfClientTraffic(): Promise<0 | 1 | 2> {
    const [a0, b0] = await this.clientPackets();
    const ok = await this.clientPing();
    const [a1, b1] = await this.clientPackets();
    if (!ok) return 0;
    return a1 > a0 ? 1 : b1 > b0 ? 2 : 0;
  }

  async linkDown(isp: 1 | 2): Promise<void> {
    await sh(['ip', '-n', this.isps[isp - 1]!, 'link', 'set', 'up0', 'down']);
  }

  async linkUp(isp: 1 | 2): Promise<void> {
    await sh(['ip', '-n', this.isps[isp - 1]!, 'link', 'set', 'up0', 'up']);
  }

  /** The ISP silently drops everything from the node; the link stays up. */
  async blackhole(isp: 1 | 2): Promise<void> {
    await sh(['ip', 'netns', 'exec', this.isps[isp - 1]!, 'nft', '-f', '-'], BLACKHOLE_UP0);
  }

  async heal(isp: 1 | 2): Promise<void> {
    await sh([
      'ip',
      'netns',
      'exec',
      this.isps[isp - 1]!,
      'nft',
      'delete',
      'table',
      'inet',
      'fault',
    ]).catch(() => '');
    await this.linkUp(isp);
  }

  async destroy(): Promise<void> {
    for (const ns of this.all) await exec('ip', ['netns', 'del', ns]).catch(() => undefined);
  }
}
