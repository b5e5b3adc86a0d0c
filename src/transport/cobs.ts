/**
 * Consistent Overhead Byte Stuffing: rewrites a block so it contains no 0x00 byte, at a cost of
 * one byte per 254 plus one, which leaves 0x00 free to delimit frames on a byte stream.
 *
 * @example
 * cobsEncode(Uint8Array.of(0x11, 0x22, 0x00, 0x33)); // 03 11 22 02 33
 * cobsDecode(Uint8Array.of(0x03, 0x11, 0x22, 0x02, 0x33)); // 11 22 00 33
 */

/** Largest encoded size of an `n`-byte block. */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.floor(n / 254) + 1;
}

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(data.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    // A full run of 254 non-zero bytes closes its block with no implied zero; a new block
    // starts only if more data follows.
    if (code === 0xff && i + 1 < data.length) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes one block (without its delimiter); undefined when it is not valid COBS. */
export function cobsDecode(block: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(block.length);
  let o = 0;
  let i = 0;
  while (i < block.length) {
    const code = block[i]!;
    if (code === 0 || i + code > block.length) return undefined;
    for (let k = 1; k < code; k++) {
      const byte = block[i + k]!;
      if (byte === 0) return undefined;
      out[o++] = byte;
    }
    i += code;
    if (code !== 0xff && i < block.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
