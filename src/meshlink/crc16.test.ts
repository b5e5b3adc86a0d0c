import { describe, expect, it } from 'vitest';
import { crc16, crc16Update, crc16Zeros, CRC16_INIT } from './crc16.ts';

/** Bit-by-bit CRC-16/CCITT-FALSE straight from its definition, to check the table version. */
function reference(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('crc16 (CRC-16/CCITT-FALSE)', () => {
  it('gives the published check value 0x29B1 for "123456789"', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });

  it('of no bytes is the initial value', () => {
    expect(crc16(new Uint8Array(0))).toBe(0xffff);
  });

  it('matches the bitwise definition on random inputs, in pieces and with zero runs', () => {
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(crc16(bytes)).toBe(reference(bytes));
      const cut = n >> 1;
      expect(crc16Update(crc16Update(CRC16_INIT, bytes, 0, cut), bytes, cut)).toBe(
        reference(bytes),
      );
      const zeros = new Uint8Array(n);
      expect(crc16Zeros(CRC16_INIT, n)).toBe(reference(zeros));
    }
  });
});
