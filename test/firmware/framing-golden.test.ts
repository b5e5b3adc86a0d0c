/**
 * The firmware's framing (firmware/src/framing, compiled for the host with gcc) and the
 * TypeScript serial framing (src/transport/serial-framing.ts) agree byte for byte: both check
 * the same golden file, then each decodes what the other encoded, and both reach the same
 * verdict on corrupted and oversize frames.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeSerialFrame, SerialDeframer } from '../../src/transport/serial-framing.ts';
import { FIRMWARE_DIR, GOLDEN_FILE, missingTools, readGoldenVectors } from './firmware-tools.ts';

const hex = (b: Uint8Array) => (b.length === 0 ? '-' : Buffer.from(b).toString('hex'));
const missing = missingTools(['gcc'], 'test/firmware framing', 'apt-get install -y gcc');

/** What the TypeScript deframer makes of one byte stream, in the C driver's output format. */
function tsDecode(stream: Uint8Array, mtu: number): string[] {
  const out: string[] = [];
  const deframer = new SerialDeframer(mtu, (frame) => out.push(`frame ${hex(frame)}`));
  // Feed byte by byte, as the firmware's UART does, so outcomes interleave in stream order.
  for (let i = 0; i < stream.length; i++) {
    const before = { ...deframer.counters };
    deframer.push(stream.subarray(i, i + 1));
    if (deframer.counters.oversize > before.oversize) out.push('oversize');
    if (deframer.counters.corrupt > before.corrupt) out.push('corrupt');
  }
  return out;
}

const vectors = readGoldenVectors();

describe('golden frames in TypeScript', () => {
  it('the golden file has frames and rejects for both MTUs', () => {
    expect(vectors.filter((v) => v.kind === 'frame' && v.mtu === 32).length).toBeGreaterThan(5);
    expect(vectors.filter((v) => v.kind === 'reject' && v.mtu === 32).length).toBeGreaterThan(5);
    expect(vectors.some((v) => v.mtu === 255)).toBe(true);
  });

  for (const v of vectors) {
    it(`${v.kind} ${v.name} (mtu ${v.mtu})`, () => {
      if (v.kind === 'frame') {
        expect(hex(encodeSerialFrame(v.payload))).toBe(hex(v.wire));
        expect(tsDecode(v.wire, v.mtu)).toEqual([`frame ${hex(v.payload)}`]);
      } else {
        expect(tsDecode(v.wire, v.mtu)).toEqual([v.reason]);
      }
    });
  }
});

describe.skipIf(missing.length > 0)('the firmware framing compiled for the host', () => {
  const driver = join(mkdtempSync(join(tmpdir(), 'firmware-framing-')), 'framing_driver');
  const run = (args: string[], input = '') => {
    const r = spawnSync(driver, args, { input, encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`framing_driver ${args.join(' ')}: ${r.stderr.slice(0, 200)}`);
    return r.stdout.trim().split('\n');
  };

  beforeAll(() => {
    const src = join(FIRMWARE_DIR, 'src/framing');
    execFileSync('gcc', [
      ...['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-o', driver],
      join(FIRMWARE_DIR, 'test/framing_driver.c'),
      ...['cobs.c', 'crc16.c', 'serial_frame.c'].map((f) => join(src, f)),
    ]);
  });

  it('checks every golden vector itself', () => {
    expect(run(['check', GOLDEN_FILE])).toEqual([`ok ${vectors.length} vectors`]);
  });

  it('C encodes, TypeScript decodes: golden payloads and 300 random ones', () => {
    const payloads = [
      ...vectors.flatMap((v) => (v.kind === 'frame' ? [v.payload] : [])),
      ...fc.sample(fc.uint8Array({ maxLength: 255 }), { numRuns: 300, seed: 14 }),
    ];
    const wires = run(['encode'], payloads.map(hex).join('\n') + '\n');
    expect(wires).toHaveLength(payloads.length);
    wires.forEach((w, i) => expect(w).toBe(hex(encodeSerialFrame(payloads[i]!))));
    const stream = Buffer.from(wires.join(''), 'hex');
    expect(tsDecode(stream, 255)).toEqual(payloads.map((p) => `frame ${hex(p)}`));
  });

  it('TypeScript encodes, C decodes, in arbitrary chunks', () => {
    const payloads = fc.sample(fc.uint8Array({ maxLength: 32 }), { numRuns: 300, seed: 28 });
    const stream = Buffer.concat(payloads.map((p) => encodeSerialFrame(p)));
    // Chunks of 1..97 bytes: a frame split across reads must still come out whole.
    const chunks: string[] = [];
    for (let i = 0, n = 1; i < stream.length; i += n, n = (n * 7) % 97 || 1) {
      chunks.push(stream.subarray(i, i + n).toString('hex'));
    }
    expect(run(['decode', '32'], chunks.join('\n') + '\n')).toEqual(
      payloads.map((p) => `frame ${hex(p)}`),
    );
  });

  it('both reject the same corrupted, truncated and oversize frames the same way', () => {
    const damaged = fc.sample(
      fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 1, max: 255 })),
      { numRuns: 400, seed: 42 },
    );
    // Each case: a frame with one byte xor-ed (its delimiters included, so frames also merge
    // and split), followed by a clean frame that must get through after the damage.
    const marker = Uint8Array.of(0x4d, 0x00, 0x4b);
    const stream = Buffer.concat(
      damaged.flatMap(([payload, at, mask], i) => {
        const wire = Uint8Array.from(encodeSerialFrame(payload));
        wire[at % wire.length]! ^= mask;
        // Every 20th case also an intact frame of 33..62 bytes: over the dongle's MTU.
        const big = i % 20 === 0 ? [encodeSerialFrame(new Uint8Array(33 + (i % 30)).fill(i))] : [];
        return [wire, ...big, encodeSerialFrame(marker)];
      }),
    );
    const lines = [];
    for (let i = 0; i < stream.length; i += 1000) lines.push(stream.subarray(i, i + 1000));
    const input = lines.map((l) => l.toString('hex')).join('\n') + '\n';
    for (const mtu of [32, 255]) {
      const ts = tsDecode(stream, mtu);
      expect(run(['decode', String(mtu)], input)).toEqual(ts);
      // The 20 intact 33..62-byte frames (and damaged ones that stay long) are oversize at 32.
      const oversize = ts.filter((o) => o === 'oversize').length;
      if (mtu === 32) expect(oversize).toBeGreaterThanOrEqual(20);
      else expect(oversize).toBe(0);
      expect(ts.filter((o) => o === 'corrupt').length).toBeGreaterThan(100);
      expect(ts.filter((o) => o === `frame ${hex(marker)}`).length).toBeGreaterThan(390);
    }
  });
});
