/**
 * Feeds 1.2 million random and mutated frames to the decoder (as `npm test` cannot afford to):
 * every outcome must be a decoded frame or a typed FrameDecodeError. Prints the rejection
 * counts by error name and writes bench/results/meshlink-fuzz.json.
 *
 * @example
 * npx tsx bench/meshlink-fuzz.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/random.ts';
import { FrameDecodeError } from '../src/meshlink/errors.ts';
import { decodeFrame, emptyFrame, encodeFrame } from '../src/meshlink/frame-codec.ts';
import { PacketType } from '../src/meshlink/packet-type.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const TOTAL = 1_200_000;
const rng = seededRandom(20261123);
const seeds = [0, 1, 16, 100, 239].map((n) =>
  encodeFrame({
    ...emptyFrame(),
    src: 5,
    dst: 6,
    type: PacketType.Data,
    data: new Uint8Array(n).fill(n),
  }),
);
const legacy = encodeFrame({ ...emptyFrame(), src: 42, dst: 69, type: PacketType.Ping }, false);
seeds.push(legacy);

const rejected: Record<string, number> = {};
let accepted = 0;
let untyped = 0;
const started = performance.now();
for (let i = 0; i < TOTAL; i++) {
  let bytes: Uint8Array;
  if (i % 3 === 0) {
    bytes = new Uint8Array(rng.int(300));
    for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
  } else {
    // Mutations of valid frames: truncation, extension, bit flips, byte overwrites.
    const base = seeds[rng.int(seeds.length)]!;
    const len = i % 3 === 1 ? base.length : Math.max(0, base.length + rng.int(40) - 20);
    bytes = new Uint8Array(len);
    bytes.set(base.subarray(0, Math.min(len, base.length)));
    for (let k = rng.int(4); k >= 0 && len > 0; k--) {
      const at = rng.int(len);
      bytes[at] = rng.next() < 0.5 ? bytes[at]! ^ (1 << rng.int(8)) : rng.int(256);
    }
  }
  try {
    decodeFrame(bytes, { requireCrc: i % 2 === 0 });
    accepted++;
  } catch (e) {
    if (e instanceof FrameDecodeError) rejected[e.name] = (rejected[e.name] ?? 0) + 1;
    else untyped++;
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${TOTAL} frames in ${seconds.toFixed(1)} s: ${accepted} accepted, ${untyped} untyped exceptions`,
);
for (const [name, n] of Object.entries(rejected).sort()) console.log(`  ${name}: ${n}`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'meshlink-fuzz.json'),
  JSON.stringify(
    {
      bench: 'meshlink-fuzz',
      date: new Date().toISOString(),
      total: TOTAL,
      accepted,
      untyped,
      rejected,
      seconds,
    },
    null,
    2,
  ) + '\n',
);
if (untyped > 0) process.exitCode = 1;
