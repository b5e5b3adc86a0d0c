/**
 * The SystemUpgrade of a simulated node: images come from a catalogue (URL → version, size,
 * SHA-256 and how the image behaves), a download takes the time its size needs at a modelled
 * rate, `sysupgrade -T` refuses the catalogue's broken images, and an install hands the image to
 * the host, which takes the node down (the simulator's crash) and boots it into the new version
 * after a realistic flash and boot time, or never, for an image that bricks the node. The running
 * version and the journal live in the node's flash, which outlives its reboots.
 *
 * @example
 * const flash = { version: 'A', journal: undefined };
 * const system = new SimSystemUpgrade({ scheduler: ctx.scheduler, random: ctx.random, flash,
 *   images: (url) => catalogue.get(url), reboot: (image) => world.rebootInto('n3', image) });
 * await system.download({ url, maxBytes: 64 << 20, timeoutMs: 600_000 }); // after ~4 s of sim time
 */
import type { Random } from '../../core/random.ts';
import type { Scheduler } from '../../core/scheduler.ts';
import { DownloadFailedError, ImageTestFailedError, ImageTooLargeError } from '../errors.ts';
import type { DownloadedImage, ImageRequest, SystemUpgrade } from '../system-upgrade.ts';

/** How an image behaves once installed: it boots, it never boots, or `sysupgrade -T` refuses it. */
export type SimImageOutcome = 'boots' | 'bricks' | 'fails-test';

export interface SimImage {
  url: string;
  /** What a node that boots it reports as `firmware_version`. */
  version: string;
  bytes: number;
  sha256: string;
  outcome: SimImageOutcome;
}

/** What a simulated node keeps across reboots. */
export interface SimFlash {
  version: string;
  journal: string | undefined;
}

export interface SimUpgradeTiming {
  /** Download rate over the mesh. @default 20000 kbit/s */
  downloadKbit: number;
  /** Until the first byte. @default 300 */
  firstByteMs: number;
  /** `sysupgrade -T`. @default 1500 */
  testMs: number;
  /** From `sysupgrade` to the node going down (configuration saved, services stopped). @default 3000 */
  shutdownMs: number;
}

export const SIM_UPGRADE_TIMING: SimUpgradeTiming = {
  downloadKbit: 20_000,
  firstByteMs: 300,
  testMs: 1_500,
  shutdownMs: 3_000,
};

export interface SimSystemUpgradeOptions {
  /** The node's scheduler: what is under way dies with the node. */
  scheduler: Scheduler;
  random: Random;
  flash: SimFlash;
  images: (url: string) => SimImage | undefined;
  /** Takes the node down into `image` (and up again if it boots): the host's part. */
  reboot: (image: SimImage) => void;
  timing?: Partial<SimUpgradeTiming>;
}

const IMAGE_PATH = '/tmp/intelli-mesh-upgrade.img';

export class SimSystemUpgrade implements SystemUpgrade {
  readonly kind = 'sim' as const;
  private readonly timing: SimUpgradeTiming;
  private readonly stored = new Map<string, SimImage>();

  constructor(private readonly o: SimSystemUpgradeOptions) {
    this.timing = { ...SIM_UPGRADE_TIMING, ...o.timing };
  }

  async runningVersion(): Promise<string> {
    return this.o.flash.version;
  }

  download(request: ImageRequest): Promise<DownloadedImage> {
    const { firstByteMs, downloadKbit } = this.timing;
    const image = this.o.images(request.url);
    if (!image)
      return this.later(firstByteMs, () => {
        throw new DownloadFailedError(`${request.url}: HTTP 404 Not Found`);
      });
    if (image.bytes > request.maxBytes)
      return this.later(firstByteMs, () => {
        throw new ImageTooLargeError(
          `${request.url}: ${image.bytes} bytes, more than the limit of ${request.maxBytes}`,
        );
      });
    // The mesh's rate varies a little from one download to the next.
    const ms =
      firstByteMs + ((image.bytes * 8) / downloadKbit) * (0.9 + 0.2 * this.o.random.next());
    if (ms > request.timeoutMs)
      return this.later(request.timeoutMs, () => {
        throw new DownloadFailedError(
          `${request.url}: timed out after ${request.timeoutMs / 1000} s`,
        );
      });
    return this.later(ms, () => {
      this.stored.set(IMAGE_PATH, image);
      return { path: IMAGE_PATH, bytes: image.bytes, sha256: image.sha256 };
    });
  }

  test(image: DownloadedImage): Promise<void> {
    return this.later(this.timing.testMs, () => {
      const stored = this.image(image);
      if (stored.outcome === 'fails-test')
        throw new ImageTestFailedError(
          "sysupgrade -T refused the image (exit 1): Image check 'platform_check_image' failed.",
        );
    });
  }

  async install(image: DownloadedImage): Promise<void> {
    const stored = this.image(image);
    this.o.scheduler.after(this.timing.shutdownMs, () => this.o.reboot(stored));
  }

  async discard(image: DownloadedImage): Promise<void> {
    this.stored.delete(image.path);
  }

  async loadJournal(): Promise<string | undefined> {
    return this.o.flash.journal;
  }

  async saveJournal(text: string): Promise<void> {
    this.o.flash.journal = text;
  }

  async clearJournal(): Promise<void> {
    this.o.flash.journal = undefined;
  }

  private image(image: DownloadedImage): SimImage {
    const stored = this.stored.get(image.path);
    if (!stored) throw new ImageTestFailedError(`${image.path}: no such file`);
    return stored;
  }

  /** Settles with `f()` after `ms` of the node's time (never, if the node goes down first). */
  private later<T>(ms: number, f: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.o.scheduler.after(ms, () => {
        try {
          resolve(f());
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }
}
