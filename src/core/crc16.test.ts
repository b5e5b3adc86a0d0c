import { describe, expect, it } from 'vitest';
import { crc16 } from './crc16.ts';

describe('crc16 (CCITT-FALSE)', () => {
  it('matches the published check value', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('starts from 0xFFFF and honours a sub-range', () => {
    expect(crc16(new Uint8Array(0))).toBe(0xffff);
    const padded = new TextEncoder().encode('xx123456789yy');
    expect(crc16(padded, 2, 11)).toBe(0x29b1);
  });

  it('detects every single-bit flip of a frame', () => {
    const frame = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    const good = crc16(frame);
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const bad = frame.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc16(bad)).not.toBe(good);
    }
  });
});
