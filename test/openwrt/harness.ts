/**
 * OpenWrt's own userland as a test harness: boots a "router" in network namespaces, with
 * OpenWrt's procd as PID 1, so what we render for a node is read by the programs that read it
 * on a router (procd, ubusd, logd, netifd, fw4, uci, opkg), built from pinned sources by
 * `build-userland.sh` (see docs/openwrt-harness.md).
 *
 * A node is a network namespace plus a pid, mount, UTS and IPC namespace whose root is an
 * overlayfs: the node's `files` (e.g. a rendered node's files/) over a small harness base
 * (inittab, /etc/rc.d links) over the staged OpenWrt /usr and /etc over the host's `/`, with a
 * tmpfs upper layer: host binaries (node, ip, nft, ping) are visible inside, and nothing the
 * node writes reaches the host. /dev, /proc, /sys, /tmp and /run are the node's own.
 *
 * API (all async):
 * - `OpenWrtNode.boot({ name, files?, links?, shares?, services?, nodePackage?, beforeBoot? })`
 *   creates the namespace and the veth `links` (before boot, so netifd finds its devices), runs
 *   `beforeBoot` (e.g. start a peer's DHCP server), starts procd and waits until every
 *   /etc/rc.d/S* script has run and ubus answers. Two WANs are two links to two ISP namespaces.
 * - `node.exec(argv, { input?, allowFailure?, timeoutMs? })` runs a program inside (root, cwd /,
 *   a clean OpenWrt PATH); `node.sh(script)` its stdout; `node.spawn(argv)` a long-running one.
 * - `node.ubus(path, method, args?)` parsed JSON; `node.uci(...args)` stdout; `node.logread()`.
 * - `node.writeFile(path, content, mode?)`, `node.copyIn(hostPath, nodePath)`; `node.shareDir` is
 *   a host directory bound at the same path inside (drop an .ipk there, `opkg install` it).
 * - `node.waitFor(what, probe, timeoutMs)` polls until `probe` answers truthy.
 * - `node.link(link)` one more veth after boot; `node.netns` the node's network namespace.
 * - `node.stop()` SIGTERM to procd (a clean shutdown: rc.d K* scripts), then kills what is left
 *   and deletes the namespaces and the work directory; always safe to call. `releaseAll()` from
 *   `resources.ts` stops whatever a failed test left behind (use it in `afterAll`).
 * - `Netns.create(label)` and `veth(a, b)` (from `netns.ts`) build the hosts around a node: a
 *   LAN client, an ISP with a DHCP server (`startDhcpServer`).
 * - `nodePackage: true` installs stand-ins for `node` (its /usr/bin/node runs the host's
 *   Node.js), `ip-full` and `conntrack` (the host's), so an .ipk that depends on them (ours)
 *   installs with opkg as on a router.
 *
 * @example
 * const isp = await Netns.create('isp');
 * const node = await OpenWrtNode.boot({
 *   name: 'gw',
 *   files: 'out/site/gw-north/files',
 *   links: [{ device: 'wan', peer: isp, peerDevice: 'up0', peerAddresses: ['100.64.1.1/24'] }],
 *   beforeBoot: async () => {
 *     await startDhcpServer(isp, 'up0', '100.64.1.0/24');
 *   },
 *   nodePackage: true,
 * });
 * try {
 *   await node.waitFor('wan up', async () => (await node.ubus<{ up: boolean }>('network.interface.fiber', 'status')).up, 10_000);
 *   await copyFile('intelli-mesh_0.1.0-1_all.ipk', join(node.shareDir, 'agent.ipk'));
 *   await node.exec(['opkg', 'install', join(node.shareDir, 'agent.ipk')]);
 *   await node.exec(['/etc/init.d/intelli-mesh', 'start']);
 * } finally {
 *   await node.stop();
 *   await isp.destroy();
 * }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClosedError } from '../../src/core/errors.ts';
import { BootFailedError, StageUnavailableError } from './errors.ts';
import { hostNodeInNode, standInIpks } from './ipk.ts';
import { checkInterfaceName, killQuietly, Netns, veth } from './netns.ts';
import { track, type Resource } from './resources.ts';
import { runCommand, type RunOptions, type RunResult } from './run-command.ts';
import { stageStatus } from './stage.ts';
import { waitFor } from './wait-for.ts';

export { Netns, veth } from './netns.ts';
export { releaseAll, liveResources } from './resources.ts';
export { waitFor } from './wait-for.ts';
export { harnessIpk, standInIpks } from './ipk.ts';
export { openwrtUnavailableReason, ensureStage } from './stage.ts';
export { startDhcpServer } from './dhcp-server.ts';
export * from './errors.ts';

const initScript = fileURLToPath(new URL('./node-init.sh', import.meta.url));

/** The PATH of OpenWrt's procd for its services, also used for `exec`. */
const nodePath = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Init scripts an OpenWrt image with these packages enables: sysctl, logd, fw4, netifd. */
export const defaultServices = ['sysctl', 'log', 'firewall', 'network', 'packet_steering'] as const;

export interface NodeLink {
  /** Interface name inside the node, e.g. 'wan' or 'lan1'. */
  device: string;
  /** The namespace at the other end. */
  peer: Netns;
  /** Interface name in `peer`. */
  peerDevice: string;
  /** CIDR addresses for the peer end. @default none */
  peerAddresses?: string[];
  /** Set the peer end up (the node's end is netifd's to bring up). @default true */
  peerUp?: boolean;
}

export interface Share {
  /** A host directory or file. */
  host: string;
  /** Where it appears inside the node. @default the same path as on the host */
  node?: string;
  /** @default false */
  readOnly?: boolean;
}

export interface OpenWrtNodeOptions {
  /** Hostname, and the label of the node's namespace names. */
  name: string;
  /** A host directory overlaid on the node's root, e.g. a rendered node's `files/`. */
  files?: string;
  /** veth links created before boot. @default none */
  links?: NodeLink[];
  /** Host paths bind-mounted inside (not copied, unlike `files`). @default none */
  shares?: Share[];
  /** Init scripts to run at boot (their START decides the order). @default defaultServices */
  services?: readonly string[];
  /** Install the stand-in `node`, `ip-full` and `conntrack` packages after boot (see ipk.ts). @default false */
  nodePackage?: boolean;
  /** The staged userland. @default the one build-userland.sh built for the current pins */
  stage?: string;
  /** Deadline for procd to run every rc.d script. @default 30_000 */
  bootTimeoutMs?: number;
  /**
   * Runs once the namespace and `links` exist, before procd starts: e.g. start a DHCP server
   * on a peer so netifd's first DHCP request is answered. @default none
   */
  beforeBoot?: (node: OpenWrtNode) => Promise<void>;
}

export interface StopOptions {
  /** SIGTERM to procd first (its shutdown runs the K* scripts), else SIGKILL. @default true */
  clean?: boolean;
  /** How long a clean shutdown may take before SIGKILL. @default 10_000 */
  timeoutMs?: number;
}

export class OpenWrtNode {
  /** A host directory that appears at the same path inside the node. */
  readonly shareDir: string;
  private stopped = false;
  /** How `stop()` asked to shut down; `releaseAll()` uses the defaults. */
  private stopOptions: StopOptions = {};
  private pid = 0;
  private init?: ChildProcess;
  private readonly resource: Resource;

  private constructor(
    readonly name: string,
    readonly netns: Netns,
    /** Host directory of this node's harness files (logs, base layer, share/). */
    readonly workDir: string,
  ) {
    this.shareDir = join(workDir, 'share');
    this.resource = track({
      label: `OpenWrt node ${name} (${netns.name})`,
      release: () => this.shutdown(),
      releaseSync: () => this.shutdownSync(),
    });
  }

  /** Host pid of the node's procd. */
  get procdPid(): number {
    return this.pid;
  }

  static async boot(options: OpenWrtNodeOptions): Promise<OpenWrtNode> {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,30}$/.test(options.name)) {
      throw new RangeError(`node name '${options.name}' is not a usable hostname`);
    }
    const stage = options.stage ?? (await builtStage());
    const work = await mkdtemp(join(tmpdir(), `im-openwrt-${options.name}-`));
    let netns: Netns;
    try {
      netns = await Netns.create(options.name);
    } catch (e) {
      await rm(work, { recursive: true, force: true });
      throw e;
    }
    const node = new OpenWrtNode(options.name, netns, work);
    try {
      await node.start(options, stage);
    } catch (e) {
      await node.stop({ clean: false });
      throw e;
    }
    return node;
  }

  private async start(options: OpenWrtNodeOptions, stage: string): Promise<void> {
    const work = this.workDir;
    await mkdir(this.shareDir);
    const services = options.services ?? defaultServices;
    await writeBaseLayer(join(work, 'base'), this.name, services, [options.files, stage], work);
    const shares: Share[] = [
      ...(options.shares ?? []),
      { host: process.execPath, node: hostNodeInNode, readOnly: true },
    ];
    await writeFile(
      join(work, 'binds'),
      shares.map((s) => `${s.host}\t${s.node ?? s.host}\t${s.readOnly ? 'ro' : 'rw'}\n`).join(''),
    );
    for (const l of options.links ?? []) await this.link(l);
    await options.beforeBoot?.(this);

    const files = options.files ? await mergedUsrLayer(options.files, join(work, 'files')) : null;
    const layers = [...(files ? [files] : []), join(work, 'base'), stage];
    const log = openSync(join(work, 'init.log'), 'w');
    this.init = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.netns.name,
        'unshare',
        '--pid',
        '--fork',
        '--mount',
        '--uts',
        '--ipc',
        '--propagation',
        'private',
        initScript,
        work,
        this.name,
        ...layers,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.init.unref();

    // Each wait ends early when init or procd exits: that boot has failed for good.
    const failed = async (what: string) =>
      new BootFailedError(`node ${this.name}: ${what}\n${await this.diagnostics()}`);
    const ready = await waitFor(
      `node ${this.name}: its init to start procd`,
      async () =>
        this.initExited()
          ? 'exited'
          : (await readFile(join(work, 'ready'), 'utf8').catch(() => '')).trim(),
      15_000,
    ).catch(() => 'timeout');
    if (!/^\d+$/.test(ready)) throw await failed(`procd did not start (${ready})`);
    this.pid = Number(ready);

    const timeout = options.bootTimeoutMs ?? 30_000;
    const booted = await waitFor(
      `node ${this.name}: procd to run /etc/rc.d`,
      async () =>
        this.initExited()
          ? 'exited'
          : (await readFile(join(work, 'booted'), 'utf8').catch(() => '')) && 'booted',
      timeout,
    ).catch(() => 'timeout');
    if (booted !== 'booted') throw await failed(`boot did not finish (${booted}, ${timeout} ms)`);
    // procd starts service instances after rc.d returns: wait for the ubus objects of ours
    const objects = [
      'service',
      ...(services.includes('log') ? ['log'] : []),
      ...(services.includes('network') ? ['network'] : []),
    ];
    await this.exec(['ubus', '-t', String(Math.ceil(timeout / 1000)), 'wait_for', ...objects]);

    if (options.nodePackage) {
      const files: string[] = [];
      for (const ipk of standInIpks()) {
        files.push(join(this.shareDir, ipk.file));
        await writeFile(files.at(-1)!, ipk.bytes);
      }
      await this.exec(['opkg', 'install', ...files]);
    }
  }

  /** A veth from the node to another namespace; netifd sees it appear. */
  async link(l: NodeLink): Promise<void> {
    checkInterfaceName(l.device);
    await veth(
      { ns: this.netns, device: l.device },
      {
        ns: l.peer,
        device: l.peerDevice,
        addresses: l.peerAddresses ?? [],
        up: l.peerUp ?? true,
      },
    );
  }

  private enterArgs(): string[] {
    if (this.stopped) throw new ClosedError(`node ${this.name} is stopped`);
    return [
      'nsenter',
      '-t',
      String(this.pid),
      '-n',
      '-m',
      '-p',
      '-u',
      '-i',
      '-r',
      '-w',
      '--',
      'env',
      '-i',
      `PATH=${nodePath}`,
      'HOME=/root',
    ];
  }

  /** Runs `argv` inside the node as root in /; throws `CommandFailedError` on a non-zero exit. */
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return runCommand([...this.enterArgs(), ...argv], options);
  }

  /** `sh -c script` inside the node (busybox ash, as on OpenWrt); its stdout. */
  async sh(script: string, options?: RunOptions): Promise<string> {
    return (await this.exec(['sh', '-c', script], options)).stdout;
  }

  /** A long-running program inside the node; it dies with the node at the latest. */
  spawn(argv: readonly string[]): ChildProcess {
    const [file, ...args] = [...this.enterArgs(), ...argv];
    return spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** `ubus call path method [args]`, its JSON answer parsed (undefined when it prints nothing). */
  async ubus<T = unknown>(path: string, method: string, args?: unknown): Promise<T> {
    const argv = ['ubus', 'call', path, method];
    if (args !== undefined) argv.push(JSON.stringify(args));
    const { stdout } = await this.exec(argv);
    return (stdout.trim() === '' ? undefined : JSON.parse(stdout)) as T;
  }

  /** `uci ...args`, its stdout. */
  async uci(...args: string[]): Promise<string> {
    return (await this.exec(['uci', ...args])).stdout;
  }

  /** The node's log (logd's ring buffer, as `logread` prints it). */
  async logread(): Promise<string> {
    return (await this.exec(['logread'])).stdout;
  }

  /** Polls `probe` until it answers truthy; `WaitTimeoutError` after `timeoutMs`. */
  waitFor<T>(
    what: string,
    probe: () => Promise<T> | T,
    timeoutMs: number,
  ): Promise<NonNullable<T>> {
    return waitFor(`node ${this.name}: ${what}`, probe, timeoutMs);
  }

  /** Writes a file inside the node (in its tmpfs upper layer), creating its directory. */
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.exec(
      [
        'sh',
        '-c',
        'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"',
        'sh',
        path,
        mode.toString(8),
      ],
      { input: content },
    );
  }

  /** Copies a host file or directory into the node at `nodePath` (through `shareDir`). */
  async copyIn(hostPath: string, nodePath: string): Promise<void> {
    const staged = join(this.shareDir, `.copy-${process.hrtime.bigint()}-${basename(hostPath)}`);
    await cp(hostPath, staged, { recursive: true, preserveTimestamps: true });
    try {
      await this.exec([
        'sh',
        '-c',
        'mkdir -p "$(dirname "$2")" && cp -a "$1" "$2"',
        'sh',
        staged,
        nodePath,
      ]);
    } finally {
      await rm(staged, { recursive: true, force: true });
    }
  }

  /** The node's console, init log and (while it runs) logread: for a failing test's output. */
  async diagnostics(): Promise<string> {
    const read = (f: string) => readFile(join(this.workDir, f), 'utf8').catch(() => '');
    const parts = [
      `--- init.log\n${await read('init.log')}`,
      `--- console\n${await read('console')}`,
    ];
    if (!this.stopped && this.pid > 0) {
      const log = await this.exec(['logread'], { allowFailure: true, timeoutMs: 5_000 }).catch(
        (e: unknown) => ({ stdout: String(e) }),
      );
      parts.push(`--- logread\n${log.stdout}`);
    }
    return parts.join('\n');
  }

  /** Shuts the node down and removes its namespaces and files; safe to call more than once. */
  async stop(options: StopOptions = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopOptions = options;
    await this.resource.release();
  }

  /** True once the node's init (the unshare process holding procd) has exited. */
  private initExited(): boolean {
    return this.init === undefined || this.init.exitCode !== null || this.init.signalCode !== null;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    const { clean = true, timeoutMs = 10_000 } = this.stopOptions;
    const exited = () => this.initExited();
    if (this.pid > 0 && !exited()) {
      if (clean && killQuietly(this.pid, 'SIGTERM')) {
        await waitFor(`node ${this.name}: procd to shut down`, exited, timeoutMs).catch(
          () => undefined,
        );
      }
      if (!exited()) {
        killQuietly(this.pid, 'SIGKILL');
        await waitFor(`node ${this.name}: procd to die`, exited, 5_000).catch(() => undefined);
      }
    }
    await this.netns.destroy();
    await rm(this.workDir, { recursive: true, force: true });
  }

  private shutdownSync(): void {
    this.stopped = true;
    if (this.pid > 0) killQuietly(this.pid, 'SIGKILL');
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

async function builtStage(): Promise<string> {
  const status = await stageStatus();
  if (!status.built) {
    throw new StageUnavailableError(
      `no OpenWrt userland at ${status.stage}: run test/openwrt/build-userland.sh (or ensureStage())`,
    );
  }
  return status.stage;
}

/**
 * The harness's layer under the node's files: an inittab without a login console, a default
 * /etc/config/system, and the /etc/rc.d links an image would have for `services` (each at its
 * init script's START), plus a last S99 script that tells the harness the boot has finished.
 */
async function writeBaseLayer(
  base: string,
  hostname: string,
  services: readonly string[],
  sources: readonly (string | undefined)[],
  work: string,
): Promise<void> {
  await mkdir(join(base, 'etc/rc.d'), { recursive: true });
  await mkdir(join(base, 'usr/libexec/intelli-mesh-harness'), { recursive: true });
  await writeFile(
    join(base, 'etc/inittab'),
    '::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\n',
  );
  // What base-files' config_generate writes on a first boot; the node's files may override it.
  // logd starts only for a 'system' section, so a node without one would have no logread.
  await mkdir(join(base, 'etc/config'));
  await writeFile(
    join(base, 'etc/config/system'),
    `config system\n\toption hostname '${hostname}'\n\toption timezone 'UTC'\n\toption log_size '128'\n`,
  );
  for (const service of services) {
    const start = await startOf(service, sources);
    await symlink(`../init.d/${service}`, join(base, 'etc/rc.d', `S${start}${service}`));
  }
  const marker = join(base, 'usr/libexec/intelli-mesh-harness/booted');
  await writeFile(
    marker,
    `#!/bin/sh\n# procd runs /etc/rc.d/S* in order: this is the last, the boot is done\n[ "$1" = boot ] && date > ${work}/booted\nexit 0\n`,
    { mode: 0o755 },
  );
  await symlink(
    '/usr/libexec/intelli-mesh-harness/booted',
    join(base, 'etc/rc.d/S99zz-harness-booted'),
  );
}

/**
 * The node's files as a layer over this host's merged /usr (where /lib, /bin and /sbin are links
 * into /usr, as in the stage): a router's `files/lib/upgrade/keep.d/…` would otherwise put a real
 * /lib over the host's link and hide its libraries (the dynamic loader among them). Copies of
 * top-level bin, sbin and lib go under usr/ instead; elsewhere the layer is the files as given.
 */
async function mergedUsrLayer(files: string, into: string): Promise<string> {
  const moved = ['bin', 'sbin', 'lib'].filter(
    (d) => existsSync(join(files, d)) && lstatSync(`/${d}`).isSymbolicLink(),
  );
  if (moved.length === 0) return files;
  await cp(files, into, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  for (const d of moved) {
    await cp(join(into, d), join(into, 'usr', d), { recursive: true, preserveTimestamps: true });
    await rm(join(into, d), { recursive: true });
  }
  return into;
}

/** START=NN of an init script, from the node's files or the stage (first found). */
async function startOf(service: string, sources: readonly (string | undefined)[]): Promise<string> {
  for (const dir of sources) {
    if (!dir) continue;
    const text = await readFile(join(dir, 'etc/init.d', service), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const m = /^START=(\d+)/m.exec(text);
    if (!m) throw new RangeError(`init script ${service} has no START=`);
    return m[1]!.padStart(2, '0');
  }
  throw new RangeError(`no init script /etc/init.d/${service} in the node's files or the stage`);
}
