/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor): the check the
 * serial framing appends so line noise that happens to look like a frame is rejected.
 * Its published check value for the ASCII string "123456789" is 0x29B1.
 *
 * @example
 * crc16(new TextEncoder().encode('123456789')); // 0x29b1
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    table[n] = c & 0xffff;
  }
  return table;
})();

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) ^ TABLE[((crc >> 8) ^ data[i]!) & 0xff]!) & 0xffff;
  return crc;
}
