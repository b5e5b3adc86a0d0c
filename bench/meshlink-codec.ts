/**
 * Frames per second for encode + CRC + decode (with CRC check) of meshlink frames at 32 and 255
 * bytes, next to the same loop in C (bench/c/frame-codec.c, built here with gcc -O2).
 * Writes bench/results/meshlink-codec.json.
 *
 * @example
 * npx tsx bench/meshlink-codec.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrame, emptyFrame, encodeFrameInto } from '../src/meshlink/frame-codec.ts';
import { PacketType } from '../src/meshlink/packet-type.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

function jsFramesPerSecond(frameBytes: number, seconds: number): number {
  const frame = {
    ...emptyFrame(),
    src: 1,
    dst: 2,
    type: PacketType.Data,
    data: Uint8Array.from({ length: frameBytes - 16 }, (_, i) => (i * 7) & 0xff),
  };
  const buf = new Uint8Array(255);
  const options = { requireCrc: true };
  let checksum = 0;
  let n = 0;
  const runFor = (ms: number): number => {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < ms) {
      for (let i = 0; i < 10_000; i++) {
        frame.sequence = i & 0xff;
        encodeFrameInto(frame, buf);
        const back = decodeFrame(buf, options);
        checksum += back.crc + back.sequence;
      }
      count += 10_000;
    }
    return count / ((performance.now() - start) / 1000);
  };
  runFor(500); // warm-up: let the JIT settle
  const best = Math.max(
    runFor((seconds * 1000) / 3),
    runFor((seconds * 1000) / 3),
    runFor((seconds * 1000) / 3),
  );
  n = checksum; // keep the work observable
  return n >= 0 ? best : 0;
}

function cFramesPerSecond(frameBytes: number): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'meshlink-bench-'));
  const exe = join(dir, 'frame-codec');
  try {
    execFileSync('gcc', ['-O2', '-o', exe, join(here, 'c', 'frame-codec.c')]);
  } catch {
    console.warn('gcc not found or failed: skipping the C reference');
    return undefined;
  }
  const iterations = frameBytes <= 32 ? 30_000_000 : 3_000_000;
  const runs = [0, 1, 2].map((): number => {
    const out = execFileSync(exe, [String(frameBytes), String(iterations)])
      .toString()
      .trim();
    return Number(out.split(' ')[0]);
  });
  return Math.max(...runs);
}

const results = [32, 255].map((frameBytes) => {
  const js = jsFramesPerSecond(frameBytes, 3);
  const c = cFramesPerSecond(frameBytes);
  const ratio = c ? c / js : undefined;
  console.log(
    `${frameBytes}-byte frames: TypeScript ${(js / 1e6).toFixed(2)} M/s, C -O2 ${
      c ? (c / 1e6).toFixed(2) : 'n/a'
    } M/s${ratio ? `, C/TS ${ratio.toFixed(2)}x` : ''}`,
  );
  return {
    frameBytes,
    tsFramesPerSecond: Math.round(js),
    cFramesPerSecond: c ? Math.round(c) : null,
    cOverTs: ratio ?? null,
  };
});

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'meshlink-codec.json'),
  JSON.stringify(
    {
      bench: 'meshlink-codec',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      results,
    },
    null,
    2,
  ) + '\n',
);
