/**
 * The one compliance suite every SystemUpgrade passes (OpenWrt with a fake `sysupgrade` and a
 * local HTTP server, the simulator's nodes on virtual time). A harness serves two images, one
 * the system's test accepts and one it refuses, and can tell what was installed.
 *
 * @example
 * systemUpgradeCompliance('openwrt', async () => openWrtHarness());
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemUpgrade } from '../../src/platform/system-upgrade.ts';

export interface ServedImage {
  url: string;
  bytes: number;
  sha256: string;
}

export interface SystemUpgradeHarness {
  system: SystemUpgrade;
  /** The version the system runs before any install. */
  runningVersion: string;
  /** An image the system's test accepts. */
  good: ServedImage;
  /** An image the system's test refuses. */
  refused: ServedImage;
  /** A URL that serves nothing. */
  missingUrl: string;
  /** Waits for `p`, letting the system's time pass (virtual time for the simulator). */
  settle<T>(p: Promise<T>): Promise<T>;
  /** The images installed so far, by the sha256 of their content. */
  installed(): string[];
  close(): Promise<void>;
}

const MAX = 64 * 1024 * 1024;

export function systemUpgradeCompliance(name: string, make: () => Promise<SystemUpgradeHarness>) {
  describe(`SystemUpgrade compliance: ${name}`, () => {
    let h: SystemUpgradeHarness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close();
    });
    const fetchImage = (url: string, maxBytes = MAX) =>
      h.settle(h.system.download({ url, maxBytes, timeoutMs: 60_000 }));
    const failure = async (p: Promise<unknown>) =>
      h.settle(p).then(
        () => 'resolved',
        (e: Error) => e.name,
      );

    it('names the running firmware', async () => {
      expect(await h.settle(h.system.runningVersion())).toBe(h.runningVersion);
    });

    it('downloads an image and measures its size and SHA-256', async () => {
      const image = await fetchImage(h.good.url);
      expect(image).toMatchObject({ bytes: h.good.bytes, sha256: h.good.sha256 });
      await h.settle(h.system.discard(image));
      await h.settle(h.system.discard(image)); // already gone: fine
    });

    it('refuses a missing image and one over the size limit', async () => {
      expect(
        await failure(h.system.download({ url: h.missingUrl, maxBytes: MAX, timeoutMs: 60_000 })),
      ).toBe('DownloadFailedError');
      expect(
        await failure(
          h.system.download({ url: h.good.url, maxBytes: h.good.bytes - 1, timeoutMs: 60_000 }),
        ),
      ).toBe('ImageTooLargeError');
    });

    it('tests an image without installing it, and refuses a bad one', async () => {
      const good = await fetchImage(h.good.url);
      await h.settle(h.system.test(good));
      const bad = await fetchImage(h.refused.url);
      expect(await failure(h.system.test(bad))).toBe('ImageTestFailedError');
      expect(h.installed()).toEqual([]);
    });

    it('installs an image', async () => {
      const image = await fetchImage(h.good.url);
      await h.settle(h.system.install(image));
      expect(h.installed()).toEqual([h.good.sha256]);
    });

    it('keeps a journal until it is cleared', async () => {
      expect(await h.settle(h.system.loadJournal())).toBeUndefined();
      await h.settle(h.system.saveJournal('{"id":"u1"}\n'));
      expect(await h.settle(h.system.loadJournal())).toBe('{"id":"u1"}\n');
      await h.settle(h.system.saveJournal('{"id":"u2"}\n'));
      expect(await h.settle(h.system.loadJournal())).toBe('{"id":"u2"}\n');
      await h.settle(h.system.clearJournal());
      expect(await h.settle(h.system.loadJournal())).toBeUndefined();
      await h.settle(h.system.clearJournal());
    });
  });
}
