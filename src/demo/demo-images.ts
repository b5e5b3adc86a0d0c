/**
 * The demo's firmware: what every simulated node runs at start, and the example images the
 * Upgrades page offers. The URLs are under `.invalid` (they never resolve: the simulated nodes
 * fetch them from this catalogue at a modelled rate), and each checksum is the SHA-256 of the
 * image's stand-in content, so a campaign with a mistyped checksum fails as it would on a router.
 *
 * @example
 * const image = demoImage('http://firmware.demo.invalid/…'); // { version, sha256, outcome, … }
 */
import { createHash } from 'node:crypto';
import type { DemoImage } from '../controller/http/demo-images.ts';

/** What every demo node runs before any upgrade (its `DISTRIB_DESCRIPTION`, as on OpenWrt). */
export const DEMO_FIRMWARE = 'Intelli-Mesh 1.0.0 (OpenWrt 23.05.3)';

const BASE = 'http://firmware.demo.invalid/intelli-mesh';

function image(
  name: string,
  file: string,
  version: string,
  bytes: number,
  outcome: DemoImage['outcome'],
  note: string,
): DemoImage {
  const sha256 = createHash('sha256')
    .update(`intelli-mesh demo image ${file} ${bytes}`)
    .digest('hex');
  return { name, url: `${BASE}/${file}`, sha256, version, bytes, outcome, note };
}

export const DEMO_IMAGES: readonly DemoImage[] = [
  image(
    '1.1.0 (good)',
    '1.1.0/intelli-mesh-1.1.0-mediatek-filogic-bananapi_bpi-r3-squashfs-sysupgrade.itb',
    'Intelli-Mesh 1.1.0 (OpenWrt 23.05.5)',
    9_437_184,
    'boots',
    'passes the checks, installs and boots: the node comes back running 1.1.0',
  ),
  image(
    '1.2.0-rc1 (bricks)',
    '1.2.0-rc1/intelli-mesh-1.2.0-rc1-mediatek-filogic-bananapi_bpi-r3-squashfs-sysupgrade.itb',
    'Intelli-Mesh 1.2.0-rc1 (OpenWrt 24.10.0)',
    10_485_760,
    'bricks',
    'passes the checks and installs, but the node never boots again (restore it in Fault injection: it comes back on 1.0.0)',
  ),
  image(
    '1.1.0 for another board',
    '1.1.0/intelli-mesh-1.1.0-ramips-mt7621-squashfs-sysupgrade.bin',
    'Intelli-Mesh 1.1.0 (OpenWrt 23.05.5)',
    7_340_032,
    'fails-test',
    'sysupgrade -T refuses it on these nodes: nothing is installed',
  ),
];

export function demoImage(url: string): DemoImage | undefined {
  return DEMO_IMAGES.find((i) => i.url === url);
}
