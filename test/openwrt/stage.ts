/**
 * Where the staged OpenWrt userland is, whether this machine can boot namespace nodes at all,
 * and building the stage when it is missing. `build-userland.sh` is the one place that knows
 * the stage's path and how to build it; this module asks it (`--status`) and runs it.
 *
 * @example
 * const skip = await openwrtUnavailableReason();
 * describe.skipIf(skip !== null)('on OpenWrt', () => {
 *   beforeAll(() => ensureStage(), 15 * 60_000);
 * });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StageUnavailableError } from './errors.ts';
import { runCommand } from './run-command.ts';

export const buildScript = fileURLToPath(new URL('./build-userland.sh', import.meta.url));

export interface StageStatus {
  /** The stage directory (its /usr, /etc) for the pinned commits. */
  stage: string;
  built: boolean;
  /** 'mirror:<dir>' or 'git' (fetched from the pinned repositories). */
  sources: string;
  /** Debian packages the build needs that are not installed. */
  missing: string[];
}

export async function stageStatus(): Promise<StageStatus> {
  const { stdout } = await runCommand([buildScript, '--status']);
  const fields = new Map(
    stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  const field = (k: string) => fields.get(k) ?? '';
  return {
    stage: field('stage'),
    built: field('built') === '1',
    sources: field('sources'),
    missing: field('missing').split(/\s+/).filter(Boolean),
  };
}

const hostTools = [
  ['ip', '-V'],
  ['nft', '--version'],
  ['unshare', '--version'],
  ['nsenter', '--version'],
  ['busybox', '--help'],
  ['ping', '-V'],
];

/**
 * Null when namespace nodes can run here: root, the host tools, network, mount and pid
 * namespaces, overlayfs, and a stage that is built or can be built from a local mirror.
 * Otherwise why not, for `describe.skipIf`.
 */
export async function openwrtUnavailableReason(): Promise<string | null> {
  if (process.platform !== 'linux') return 'OpenWrt namespace nodes need Linux';
  if (process.getuid?.() !== 0) return 'OpenWrt namespace nodes need root (namespaces, mounts)';
  for (const tool of hostTools) {
    const r = await runCommand(tool, { allowFailure: true }).catch(() => undefined);
    if (!r) return `'${tool[0]}' is not installed`;
  }
  const probe = await mkdtemp(join(tmpdir(), 'im-openwrt-probe-'));
  try {
    const script = [
      'set -e',
      `cd ${probe}`,
      'mount -t tmpfs probe .',
      'mkdir lower upper work merged',
      'mount -t overlay probe -o lowerdir=lower,upperdir=upper,workdir=work merged',
    ].join('\n');
    const r = await runCommand(
      [
        'unshare',
        '--net',
        '--pid',
        '--fork',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
      ],
      { allowFailure: true },
    );
    if (r.code !== 0) {
      return `network/pid/mount namespaces or overlayfs do not work here: ${r.stderr.trim()}`;
    }
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
  const status = await stageStatus();
  if (status.built) return null;
  if (!status.sources.startsWith('mirror:')) {
    return `the OpenWrt userland is not built (${status.stage}) and there is no local mirror: run test/openwrt/build-userland.sh`;
  }
  if (status.missing.length > 0) {
    return `the OpenWrt userland is not built and Debian packages are missing (${status.missing.join(' ')}): run test/openwrt/build-userland.sh`;
  }
  return null;
}

/**
 * The stage directory, built first when missing (only from a local mirror, never installing
 * Debian packages: `openwrtUnavailableReason` has checked both). Takes minutes when it builds.
 */
export async function ensureStage(log: (line: string) => void = () => undefined): Promise<string> {
  const status = await stageStatus();
  if (status.built) return status.stage;
  log(
    `building the OpenWrt userland from ${status.sources} into ${status.stage} (a few minutes, once)`,
  );
  const started = Date.now();
  const r = await runCommand([buildScript], {
    env: { ...process.env, NO_APT: '1' },
    timeoutMs: 30 * 60_000,
    allowFailure: true,
  });
  if (r.code !== 0) {
    throw new StageUnavailableError(`build-userland.sh failed:\n${(r.stderr || r.stdout).trim()}`);
  }
  log(`built the OpenWrt userland in ${Math.round((Date.now() - started) / 1000)} s`);
  const after = await stageStatus();
  if (!after.built) throw new StageUnavailableError(`no stage at ${after.stage} after building`);
  return after.stage;
}
