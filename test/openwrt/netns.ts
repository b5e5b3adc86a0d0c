/**
 * Network namespaces and veth links for the OpenWrt harness: the hosts around a node (a LAN
 * client, an ISP) are plain namespaces, wired to the node with veth pairs. Names are unique per
 * test process, and every namespace is registered for cleanup (see `resources.ts`).
 *
 * @example
 * const isp = await Netns.create('isp');
 * await isp.sh('ip addr add 198.51.100.1/32 dev lo');
 * await veth({ ns: node.netns, device: 'wan' }, { ns: isp, device: 'up0', addresses: ['100.64.1.1/24'] });
 * await isp.destroy();
 */
import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { InterfaceNameError } from './errors.ts';
import { track, type Resource } from './resources.ts';
import { runCommand, type RunOptions, type RunResult } from './run-command.ts';

let counter = 0;
/** Short and unique per process: `im` + pid + a counter, all base 36. */
export function uniqueName(label: string): string {
  return `im${process.pid.toString(36)}${(counter++).toString(36)}-${label}`;
}

/** Throws `InterfaceNameError` unless `name` can name a Linux network interface. */
export function checkInterfaceName(name: string): string {
  if (Buffer.byteLength(name) > 15 || !/^[^\s/:]+$/.test(name) || name === '.' || name === '..') {
    throw new InterfaceNameError(name);
  }
  return name;
}

export class Netns {
  private readonly resource: Resource;
  private destroyed = false;

  private constructor(readonly name: string) {
    this.resource = track({
      label: `netns ${name}`,
      release: () => this.remove(),
      releaseSync: () => this.removeSync(),
    });
  }

  /** A new namespace with `lo` up; `label` makes its name readable. */
  static async create(label: string): Promise<Netns> {
    const name = uniqueName(label);
    await runCommand(['ip', 'netns', 'add', name]);
    const ns = new Netns(name);
    await ns.exec(['ip', 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Runs a host program inside this namespace (only the network is separate). */
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return runCommand(['ip', 'netns', 'exec', this.name, ...argv], options);
  }

  /** `sh -c script` inside this namespace; stdout. */
  async sh(script: string, options?: RunOptions): Promise<string> {
    return (await this.exec(['sh', '-c', script], options)).stdout;
  }

  /** Host pids of the processes in this namespace. */
  async pids(): Promise<number[]> {
    const { stdout } = await runCommand(['ip', 'netns', 'pids', this.name], { allowFailure: true });
    return stdout.split(/\s+/).filter(Boolean).map(Number);
  }

  /** Kills whatever still runs in the namespace and deletes it; safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.resource.release();
  }

  private async remove(): Promise<void> {
    this.destroyed = true;
    const deadline = Date.now() + 5_000;
    for (let pids = await this.pids(); pids.length > 0; pids = await this.pids()) {
      for (const pid of pids) killQuietly(pid, 'SIGKILL');
      if (Date.now() > deadline) break;
      await delay(20);
    }
    await runCommand(['ip', 'netns', 'del', this.name], { allowFailure: true });
  }

  private removeSync(): void {
    this.destroyed = true;
    const out = execFileSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' });
    for (const pid of out.split(/\s+/).filter(Boolean)) killQuietly(Number(pid), 'SIGKILL');
    execFileSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface VethEnd {
  ns: Netns;
  /** Interface name in `ns` (at most 15 bytes). */
  device: string;
  /** CIDR addresses to add, e.g. '10.99.0.254/24'. @default none */
  addresses?: string[];
  /** Set the link up. @default true when addresses are given, else false */
  up?: boolean;
}

/**
 * A veth pair from `a` to `b`, created directly in both namespaces (no temporary name on the
 * host). An end without addresses stays down unless `up` says otherwise: inside an OpenWrt node
 * netifd brings its devices up itself.
 */
export async function veth(a: VethEnd, b: VethEnd): Promise<void> {
  checkInterfaceName(a.device);
  checkInterfaceName(b.device);
  await runCommand([
    'ip',
    'link',
    'add',
    a.device,
    'netns',
    a.ns.name,
    'type',
    'veth',
    'peer',
    'name',
    b.device,
    'netns',
    b.ns.name,
  ]);
  for (const end of [a, b]) {
    for (const addr of end.addresses ?? []) {
      await end.ns.exec(['ip', 'addr', 'add', addr, 'dev', end.device]);
    }
    if (end.up ?? (end.addresses ?? []).length > 0) {
      await end.ns.exec(['ip', 'link', 'set', end.device, 'up']);
    }
  }
}
