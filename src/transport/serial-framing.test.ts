import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { encodeSerialFrame, SerialDeframer } from './serial-framing.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function collect(mtu: number) {
  const frames: string[] = [];
  const deframer = new SerialDeframer(mtu, (f) => frames.push(hex(f)));
  return { frames, deframer };
}

/** Splits `bytes` into chunks at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  return out;
}

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('serial framing', () => {
  it('pins the wire format: 00 COBS(payload ‖ CRC-16 BE) 00', () => {
    // CRC-16/CCITT-FALSE of 01 02 03 is 0xADAD (cross-checked with Python's binascii.crc_hqx).
    expect(hex(encodeSerialFrame(Uint8Array.of(1, 2, 3)))).toBe('0006010203adad00');
    // The empty frame is its CRC (0xFFFF) alone: distinct from idle delimiters.
    expect(hex(encodeSerialFrame(new Uint8Array(0)))).toBe('0003ffff00');
  });

  it('delivers every frame whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 255 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (payloads, cuts) => {
          const { frames, deframer } = collect(255);
          for (const chunk of split(concat(payloads.map(encodeSerialFrame)), cuts)) {
            deframer.push(chunk);
          }
          expect(frames).toEqual(payloads.map(hex));
          expect(deframer.counters).toEqual({ oversize: 0, corrupt: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives arbitrary garbage and resynchronises at the next frame', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700 }),
        fc.uint8Array({ maxLength: 255 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (garbage, payload, cuts) => {
          const { frames, deframer } = collect(255);
          for (const chunk of split(concat([garbage, encodeSerialFrame(payload)]), cuts)) {
            deframer.push(chunk);
          }
          // Garbage passing COBS and a 16-bit CRC is a 1-in-65536 event per block; a fixed
          // fast-check seed makes this run reproducible.
          expect(frames.at(-1)).toBe(hex(payload));
          expect(frames.length).toBe(1);
        },
      ),
      { numRuns: 300, seed: 20261123 },
    );
  });

  it('drops oversize frames, counts them, and takes the next one', () => {
    const { frames, deframer } = collect(32);
    deframer.push(encodeSerialFrame(new Uint8Array(33).fill(7)));
    deframer.push(encodeSerialFrame(new Uint8Array(1000).fill(1)));
    deframer.push(encodeSerialFrame(new Uint8Array(32).fill(9)));
    expect(frames).toEqual([hex(new Uint8Array(32).fill(9))]);
    expect(deframer.counters.oversize).toBe(2);
  });

  it('rejects frames with corrupted bytes', () => {
    const rng = seededRandom(1);
    const { frames, deframer } = collect(255);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) {
      const wire = encodeSerialFrame(
        Uint8Array.from({ length: 1 + rng.int(255) }, () => rng.int(256)),
      );
      const at = 1 + rng.int(wire.length - 2);
      const value = 1 + rng.int(255); // never 0x00: that would just split the frame
      if (wire[at] !== value) flipped++;
      wire[at] = value;
      deframer.push(wire);
    }
    expect(frames.length).toBe(2000 - flipped);
    expect(deframer.counters.corrupt).toBe(flipped);
  });

  it('counts undecodable blocks as corrupt', () => {
    const { frames, deframer } = collect(255);
    deframer.push(Uint8Array.of(0, 0x09, 0x01, 0x02, 0, 0x01, 0));
    expect(frames).toEqual([]);
    expect(deframer.counters.corrupt).toBe(2);
  });
});
