/**
 * The simulated nodes' SystemUpgrade on virtual time: the shared SystemUpgrade suite, and the
 * modelled durations (a download takes its size at the modelled rate, the install hands the
 * image to the host only after the shutdown time, a timeout shorter than the download fails it).
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import {
  SimSystemUpgrade,
  type SimFlash,
  type SimImage,
} from '../../src/platform/sim/sim-system-upgrade.ts';
import { systemUpgradeCompliance } from './system-upgrade-compliance.ts';

const catalogue: SimImage[] = [
  {
    url: 'http://fw.invalid/good.img',
    version: 'B',
    bytes: 8_000_000,
    sha256: '1'.repeat(64),
    outcome: 'boots',
  },
  {
    url: 'http://fw.invalid/broken.img',
    version: 'C',
    bytes: 4_000_000,
    sha256: '2'.repeat(64),
    outcome: 'fails-test',
  },
];

function simNode() {
  const scheduler = new VirtualScheduler();
  const flash: SimFlash = { version: 'A', journal: undefined };
  const reboots: { at: number; image: SimImage }[] = [];
  const system = new SimSystemUpgrade({
    scheduler,
    random: seededRandom(4),
    flash,
    images: (url) => catalogue.find((i) => i.url === url),
    reboot: (image) => reboots.push({ at: scheduler.now(), image }),
  });
  /** Runs virtual time until `p` settles (at most an hour of it). */
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 36_000 && !settled; i++) {
      scheduler.advance(100);
      await new Promise((r) => setImmediate(r));
    }
    return p;
  };
  return { scheduler, flash, reboots, system, settle };
}

systemUpgradeCompliance('sim', async () => {
  const n = simNode();
  return {
    system: n.system,
    runningVersion: 'A',
    good: catalogue[0]!,
    refused: catalogue[1]!,
    missingUrl: 'http://fw.invalid/missing.img',
    settle: async (p) => {
      const v = await n.settle(p);
      // An install reboots after the shutdown time: let it happen before the suite looks.
      n.scheduler.advance(10_000);
      return v;
    },
    installed: () => n.reboots.map((r) => r.image.sha256),
    close: async () => {},
  };
});

describe('simulated upgrade timing', () => {
  it('takes the size at 20 Mbit/s (±10 %) to download, then 3 s to go down', async () => {
    const n = simNode();
    const image = await n.settle(
      n.system.download({ url: catalogue[0]!.url, maxBytes: 1e9, timeoutMs: 600_000 }),
    );
    // 8 MB at 20 Mbit/s is 3.2 s, plus 0.3 s to the first byte.
    expect(n.scheduler.now()).toBeGreaterThanOrEqual(300 + 3_200 * 0.9);
    expect(n.scheduler.now()).toBeLessThanOrEqual(300 + 3_200 * 1.1 + 100);
    const start = n.scheduler.now();
    await n.system.install(image);
    n.scheduler.advance(2_999);
    expect(n.reboots).toEqual([]);
    n.scheduler.advance(1);
    expect(n.reboots).toEqual([{ at: start + 3_000, image: catalogue[0] }]);
  });

  it('fails a download that needs longer than its timeout, at the timeout', async () => {
    const n = simNode();
    const p = n.system.download({ url: catalogue[0]!.url, maxBytes: 1e9, timeoutMs: 2_000 });
    await expect(n.settle(p)).rejects.toMatchObject({
      name: 'DownloadFailedError',
      message: 'http://fw.invalid/good.img: timed out after 2 s',
    });
    expect(n.scheduler.now()).toBe(2_000);
  });
});
