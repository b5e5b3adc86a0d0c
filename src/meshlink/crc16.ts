/**
 * meshlink's frame CRC: CRC-16/CCITT-FALSE (see core/crc16.ts) over the frame with hop, crc,
 * attempt and hops read as zero, as the seed specifies.
 *
 * @example
 * crc16Frame(frameBytes, frameBytes[6]!); // the value for bytes 10-11
 */
import { CRC16_INIT, CRC16_TABLE } from '../core/crc16.ts';

export { CRC16_INIT, crc16, crc16Update, crc16Zeros } from '../core/crc16.ts';

// Two bytes per step ("slicing by 2"): feeding b0 then b1 into crc c gives
// PAIR[(c >> 8) ^ b0] ^ CRC16_TABLE[(c & 0xff) ^ b1], because the table is linear over XOR;
// the two lookups no longer wait on each other.
const PAIR = new Uint16Array(256);
for (let h = 0; h < 256; h++)
  PAIR[h] = ((CRC16_TABLE[h]! & 0xff) << 8) ^ CRC16_TABLE[CRC16_TABLE[h]! >>> 8]!;

/**
 * The frame CRC: bytes 4-5, 10-11 and 14-15 (hop, crc, attempt, hops) read as zero, two bytes
 * a step. Written out without calls because the codec runs it twice per frame.
 */
export function crc16Frame(b: Uint8Array, size: number): number {
  const t = CRC16_TABLE;
  const p = PAIR;
  let c = CRC16_INIT;
  c = p[(c >>> 8) ^ b[0]!]! ^ t[(c & 0xff) ^ b[1]!]!;
  c = p[(c >>> 8) ^ b[2]!]! ^ t[(c & 0xff) ^ b[3]!]!;
  c = p[c >>> 8]! ^ t[c & 0xff]!; // hop
  c = p[(c >>> 8) ^ b[6]!]! ^ t[(c & 0xff) ^ b[7]!]!;
  c = p[(c >>> 8) ^ b[8]!]! ^ t[(c & 0xff) ^ b[9]!]!;
  c = p[c >>> 8]! ^ t[c & 0xff]!; // crc
  c = p[(c >>> 8) ^ b[12]!]! ^ t[(c & 0xff) ^ b[13]!]!;
  c = p[c >>> 8]! ^ t[c & 0xff]!; // attempt, hops
  let i = HEADER;
  for (; i + 1 < size; i += 2) c = p[(c >>> 8) ^ b[i]!]! ^ t[(c & 0xff) ^ b[i + 1]!]!;
  if (i < size) c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ b[i]!) & 0xff]!;
  return c;
}

const HEADER = 16;
