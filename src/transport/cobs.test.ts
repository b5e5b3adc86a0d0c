import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const run = (from: number, to: number) =>
  Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('COBS', () => {
  // The reference vectors of Cheshire & Baker's paper, as listed in most COBS write-ups.
  it.each([
    ['', '01'],
    ['00', '0101'],
    ['0000', '010101'],
    ['00110000', '0102110101'],
    ['11220033', '0311220233'],
    ['11223344', '0511223344'],
    ['11000000', '0211010101'],
  ])('encodes %s as %s and back', (plain, encoded) => {
    const data = Buffer.from(plain, 'hex');
    expect(hex(cobsEncode(data))).toBe(encoded);
    expect(hex(cobsDecode(Buffer.from(encoded, 'hex'))!)).toBe(plain);
  });

  it('handles the 254-byte block boundary', () => {
    expect(hex(cobsEncode(run(1, 254)))).toBe('ff' + hex(run(1, 254)));
    expect(hex(cobsEncode(run(1, 255)))).toBe('ff' + hex(run(1, 254)) + '02ff');
    expect(hex(cobsEncode(Uint8Array.of(0, ...run(1, 254))))).toBe('01ff' + hex(run(1, 254)));
    expect(hex(cobsEncode(Uint8Array.of(...run(1, 254), 0)))).toBe(
      'ff' + hex(run(1, 254)) + '0101',
    );
  });

  it('round-trips any block, never emits 0x00, and stays within the size bound', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (data) => {
        const encoded = cobsEncode(data);
        expect(encoded.includes(0)).toBe(false);
        expect(encoded.length).toBeLessThanOrEqual(cobsMaxEncodedLength(data.length));
        expect(hex(cobsDecode(encoded)!)).toBe(hex(data));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects malformed blocks instead of reading past them', () => {
    expect(cobsDecode(Uint8Array.of(0x05, 0x11))).toBeUndefined(); // code runs past the end
    expect(cobsDecode(Uint8Array.of(0x02, 0x00))).toBeUndefined(); // a zero inside
    expect(cobsDecode(Uint8Array.of(0x00))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        const out = cobsDecode(junk);
        if (out) expect(out.length).toBeLessThan(Math.max(junk.length, 1));
      }),
    );
  });
});
