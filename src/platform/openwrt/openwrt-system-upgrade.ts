/**
 * Firmware upgrades on OpenWrt: the image is fetched into /tmp (RAM; bounded by the command's
 * size limit and the free space), checked with `sysupgrade -T <image>` (the device's own image
 * check, nothing flashed), and installed with `sysupgrade <image>`, which keeps the
 * configuration (the files `sysupgrade` saves: changed conffiles, /etc/sysupgrade.conf and
 * /lib/upgrade/keep.d/*) and reboots. `-n` (erase the configuration) is never used: the agent's
 * own config and credentials would be lost with it. The journal of the pending upgrade is
 * /etc/intelli-mesh/upgrade-pending.json, which the package lists in /lib/upgrade/keep.d/ so
 * the new firmware finds it. Commands are plain names on PATH, run through the injected runner.
 *
 * @example
 * const system = new OpenWrtSystemUpgrade({ run: commandRunner() });
 * await system.runningVersion(); // 'OpenWrt 23.05.3 r23809-234f1a2efa'
 * await system.test(await system.download({ url, maxBytes: 64 << 20, timeoutMs: 600_000 }));
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CommandFailedError,
  FirmwareVersionError,
  ImageTestFailedError,
  InstallFailedError,
} from '../errors.ts';
import type { CommandRunner } from '../linux/command-runner.ts';
import { readIfPresent, removeDurably, writeDurably } from '../linux/durable-file.ts';
import { downloadImage } from '../linux/image-download.ts';
import type { DownloadedImage, ImageRequest, SystemUpgrade } from '../system-upgrade.ts';
import { firmwareVersion, parseOpenWrtRelease } from './openwrt-release.ts';

/** The journal the package must keep across sysupgrade (listed in /lib/upgrade/keep.d/). */
export const UPGRADE_JOURNAL = '/etc/intelli-mesh/upgrade-pending.json';

export interface OpenWrtSystemUpgradeOptions {
  /** Runs `sysupgrade` (outside any network namespace). */
  run: CommandRunner;
  /** @default '/etc/openwrt_release' */
  releaseFile?: string;
  /** Where images are downloaded to. @default '/tmp' */
  tmpDir?: string;
  /** @default UPGRADE_JOURNAL */
  journalFile?: string;
}

/** The last lines of a command's output: what sysupgrade says when it refuses. */
function said(err: unknown): string {
  if (err instanceof CommandFailedError) {
    const text = err.stderr.trim() || '';
    return `exit ${err.code}${text ? `: ${text.split('\n').slice(-3).join(' | ')}` : ''}`;
  }
  return (err as Error).message;
}

export class OpenWrtSystemUpgrade implements SystemUpgrade {
  readonly kind = 'openwrt' as const;
  private readonly releaseFile: string;
  private readonly tmpDir: string;
  private readonly journalFile: string;

  constructor(private readonly o: OpenWrtSystemUpgradeOptions) {
    this.releaseFile = o.releaseFile ?? '/etc/openwrt_release';
    this.tmpDir = o.tmpDir ?? '/tmp';
    this.journalFile = o.journalFile ?? UPGRADE_JOURNAL;
  }

  async runningVersion(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.releaseFile, 'utf8');
    } catch (err) {
      throw new FirmwareVersionError(`${this.releaseFile}: ${(err as Error).message}`);
    }
    return firmwareVersion(parseOpenWrtRelease(text), this.releaseFile);
  }

  download(request: ImageRequest): Promise<DownloadedImage> {
    return downloadImage({ ...request, path: join(this.tmpDir, 'intelli-mesh-upgrade.img') });
  }

  async test(image: DownloadedImage): Promise<void> {
    // sysupgrade prints why on stdout ("Image check 'platform_check_image' failed.") and exits 1.
    const r = await this.o.run(['sysupgrade', '-T', image.path], { allowFailure: true });
    if (r.code !== 0) {
      const text = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-3).join(' | ');
      throw new ImageTestFailedError(
        `sysupgrade -T refused the image (exit ${r.code})${text ? `: ${text}` : ''}`,
      );
    }
  }

  async install(image: DownloadedImage): Promise<void> {
    try {
      await this.o.run(['sysupgrade', image.path]);
    } catch (err) {
      throw new InstallFailedError(`sysupgrade failed: ${said(err)}`, { cause: err });
    }
  }

  async discard(image: DownloadedImage): Promise<void> {
    await rm(image.path, { force: true });
  }

  loadJournal(): Promise<string | undefined> {
    return readIfPresent(this.journalFile);
  }

  saveJournal(text: string): Promise<void> {
    return writeDurably(this.journalFile, text);
  }

  clearJournal(): Promise<void> {
    return removeDurably(this.journalFile);
  }
}
