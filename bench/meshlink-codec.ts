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

const frames = new Map(
  [32, 255].map((frameBytes) => [
    frameBytes,
    {
      ...emptyFrame(),
      src: 1,
      dst: 2,
      type: PacketType.Data,
      data: Uint8Array.from({ length: frameBytes - 16 }, (_, i) => (i * 7) & 0xff),
    },
  ]),
);
const buf = new Uint8Array(255);
const options = { requireCrc: true };
let checksum = 0;

/** One timed round of the TypeScript loop: encode + CRC + decode with CRC check. */
function jsRound(frameBytes: number, iterations: number): number {
  const frame = frames.get(frameBytes)!;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    frame.sequence = i & 0xff;
    encodeFrameInto(frame, buf);
    const back = decodeFrame(buf, options);
    checksum += back.crc + back.sequence;
  }
  return iterations / ((performance.now() - start) / 1000);
}

function buildC(defines: string[] = []): string | undefined {
  const exe = join(mkdtempSync(join(tmpdir(), 'meshlink-bench-')), 'frame-codec');
  try {
    execFileSync('gcc', ['-O2', ...defines, '-o', exe, join(here, 'c', 'frame-codec.c')]);
    return exe;
  } catch {
    console.warn('gcc not found or failed: skipping the C reference');
    return undefined;
  }
}

function cRun(exe: string, frameBytes: number, iterations: number): [number, string] {
  const [rate, sum] = execFileSync(exe, [String(frameBytes), String(iterations)])
    .toString()
    .trim()
    .split(' ');
  return [Number(rate), sum ?? ''];
}

function cRound(exe: string, frameBytes: number, iterations: number): number {
  return cRun(exe, frameBytes, iterations)[0];
}

/** Both loops must do the same work: their sums of (crc + sequence) over N frames agree. */
function sameWork(exe: string, frameBytes: number): boolean {
  const frame = frames.get(frameBytes)!;
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    frame.sequence = i & 0xff;
    encodeFrameInto(frame, buf);
    const back = decodeFrame(buf, options);
    sum += back.crc + back.sequence;
  }
  return String(sum) === cRun(exe, frameBytes, 100_000)[1];
}

// The machine is shared, so load changes during a run: TypeScript and C rounds alternate and
// each side keeps its best round, which compares the two under the same conditions.
const ROUNDS = 25;
const ROUND_MS = 300;
// The same algorithm as the TypeScript (two bytes a step), and the classic one-byte-a-step
// table CRC the 8.7 M frames/s figure refers to.
const exe = buildC();
const exeBytewise = buildC(['-DBYTEWISE']);
const results = [32, 255].map((frameBytes) => {
  // Warm-up: V8 needs a few million iterations before its optimising tier settles; the last
  // warm-up round also sizes the timed rounds so each side runs about ROUND_MS.
  for (let w = 0; w < 4; w++) jsRound(frameBytes, 1_000_000);
  const jsIterations = Math.round((jsRound(frameBytes, 1_000_000) * ROUND_MS) / 1000);
  const size = (e: string | undefined): number =>
    e ? Math.max(1, Math.round((cRound(e, frameBytes, 200_000) * ROUND_MS) / 1000)) : 0;
  const cIterations = size(exe);
  const bIterations = size(exeBytewise);
  const verified =
    exe !== undefined &&
    exeBytewise !== undefined &&
    sameWork(exe, frameBytes) &&
    sameWork(exeBytewise, frameBytes);
  if (exe && !verified) throw new Error(`C and TypeScript disagree on ${frameBytes}-byte frames`);
  let js = 0;
  let c = 0;
  let cb = 0;
  for (let r = 0; r < ROUNDS; r++) {
    js = Math.max(js, jsRound(frameBytes, jsIterations));
    if (exe) c = Math.max(c, cRound(exe, frameBytes, cIterations));
    if (exeBytewise) cb = Math.max(cb, cRound(exeBytewise, frameBytes, bIterations));
  }
  const m = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;
  console.log(
    `${frameBytes}-byte frames: TypeScript ${m(js)}; C -O2 same algorithm ${m(c)} ` +
      `(C/TS ${(c / js).toFixed(2)}x); C -O2 byte-at-a-time table ${m(cb)} ` +
      `(C/TS ${(cb / js).toFixed(2)}x)${verified ? '; all compute the same CRCs' : ''}`,
  );
  return {
    frameBytes,
    tsFramesPerSecond: Math.round(js),
    cFramesPerSecond: exe ? Math.round(c) : null,
    cOverTs: exe ? c / js : null,
    cBytewiseFramesPerSecond: exeBytewise ? Math.round(cb) : null,
    cBytewiseOverTs: exeBytewise ? cb / js : null,
    sameCrcs: verified,
  };
});

// Keeps the decoded values observable, so the JIT cannot drop the work.
if (checksum < 0) console.log(checksum);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'meshlink-codec.json'),
  JSON.stringify(
    {
      bench: 'meshlink-codec',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
      results,
    },
    null,
    2,
  ) + '\n',
);
