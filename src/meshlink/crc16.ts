/**
 * CRC-16/CCITT-FALSE (also catalogued as CRC-16/IBM-3740 and CRC-16/AUTOSAR): polynomial
 * 0x1021, initial value 0xFFFF, no reflection, no final XOR; its published check value for the
 * ASCII bytes "123456789" is 0x29B1. Chosen because it is the variant most small-radio stacks
 * (and the nRF24's own 16-bit hardware CRC) use, and it is cheap with a 256-entry table.
 *
 * @example
 * crc16(new TextEncoder().encode('123456789')); // 0x29b1
 */
export const CRC16_INIT = 0xffff;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

/** Feeds `bytes[start, end)` into a running CRC and returns the new CRC. */
export function crc16Update(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = crc;
  for (let i = start; i < end; i++)
    c = ((c << 8) & 0xffff) ^ TABLE[((c >>> 8) ^ bytes[i]!) & 0xff]!;
  return c;
}

/** Feeds `count` zero bytes: how the frame CRC skips the fields it excludes without a copy. */
export function crc16Zeros(crc: number, count: number): number {
  let c = crc;
  for (let i = 0; i < count; i++) c = ((c << 8) & 0xffff) ^ TABLE[(c >>> 8) & 0xff]!;
  return c;
}

/**
 * The frame CRC: bytes 4-5, 10-11 and 14-15 (hop, crc, attempt, hops) read as zero. Written
 * out without calls because the codec bench runs it twice per frame.
 */
export function crc16Frame(b: Uint8Array, size: number): number {
  const t = TABLE;
  let c = CRC16_INIT;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[0]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[1]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[2]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[3]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[6]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[7]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[8]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[9]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[12]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[13]!) & 0xff]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  c = ((c << 8) & 0xffff) ^ t[c >>> 8]!;
  for (let i = 16; i < size; i++) c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[i]!) & 0xff]!;
  return c;
}

export function crc16(bytes: Uint8Array): number {
  return crc16Update(CRC16_INIT, bytes);
}
