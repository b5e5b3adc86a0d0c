/**
 * The translation-table block an OGM may carry (flag TT in the OGM header; our restatement of
 * batman-adv's TT TVLV). Big-endian, after the OGM header and its gateway block:
 *
 *   off len field
 *   0   2   length of the whole TT block in bytes, these two included (6 + 6V + 9C)
 *   2   1   TTVN: the originator's translation-table version number
 *   3   1   V: number of VLANs
 *   4   2   C: number of changes
 *   6   6V  per VLAN: u16 VLAN id, u32 CRC32C of the originator's clients on that VLAN
 *   ..  9C  per change: u8 flags (0x01 DEL, 0x02 ROAM, 0x10 WIFI, 0x20 ISOLA), 6 bytes MAC,
 *           u16 VLAN id
 *
 * The changes are the diff from TTVN - 1 to TTVN; an OGM whose TTVN did not move carries none.
 *
 * @example
 * const block: TtBlock = { ttvn: 3, vlans: [{ vid: 0, crc: 0x1234 }], changes: [] };
 * const out = new Uint8Array(ttBlockSize(block));
 * writeTtBlock(block, out, 0); // returns 12
 */
import { MAC_BYTES, MAX_VID, readMac, writeMac } from './client-mac.ts';
import type { VlanCrc } from './tt-crc.ts';
import { TT_WIRE_FLAGS } from './tt-flags.ts';

export const TT_BLOCK_HEADER_BYTES = 6;
export const TT_VLAN_BYTES = 6;
export const TT_CHANGE_BYTES = 3 + MAC_BYTES;

export interface TtChange {
  mac: string;
  vid: number;
  /** Wire flags: TT_CLIENT_DEL for a removal (with TT_CLIENT_ROAM when it roamed away). */
  flags: number;
}

export interface TtBlock {
  ttvn: number;
  vlans: VlanCrc[];
  changes: TtChange[];
}

export function ttBlockSize(b: TtBlock): number {
  return (
    TT_BLOCK_HEADER_BYTES + TT_VLAN_BYTES * b.vlans.length + TT_CHANGE_BYTES * b.changes.length
  );
}

export function writeVlans(vlans: readonly VlanCrc[], out: Uint8Array, off: number): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const vl of vlans) {
    v.setUint16(off, vl.vid);
    v.setUint32(off + 2, vl.crc >>> 0);
    off += TT_VLAN_BYTES;
  }
  return off;
}

export function writeChanges(changes: readonly TtChange[], out: Uint8Array, off: number): number {
  for (const c of changes) {
    out[off] = c.flags & TT_WIRE_FLAGS;
    writeMac(c.mac, out, off + 1);
    out[off + 7] = (c.vid >> 8) & 0xff;
    out[off + 8] = c.vid & 0xff;
    off += TT_CHANGE_BYTES;
  }
  return off;
}

/** Writes `b` at `off`; returns the offset after it. */
export function writeTtBlock(b: TtBlock, out: Uint8Array, off: number): number {
  const size = ttBlockSize(b);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(off, size);
  v.setUint8(off + 2, b.ttvn & 0xff);
  v.setUint8(off + 3, b.vlans.length);
  v.setUint16(off + 4, b.changes.length);
  writeChanges(b.changes, out, writeVlans(b.vlans, out, off + TT_BLOCK_HEADER_BYTES));
  return off + size;
}

const u16 = (f: Uint8Array, i: number): number => (f[i]! << 8) | f[i + 1]!;
const u32 = (f: Uint8Array, i: number): number =>
  ((f[i]! << 24) | (f[i + 1]! << 16) | (f[i + 2]! << 8) | f[i + 3]!) >>> 0;

/**
 * Checks `count` VLAN records at `off` (sorted, unique, ids within 0..4095); returns a problem
 * as [offset, detail], or undefined when they are sound.
 */
export function checkVlans(
  f: Uint8Array,
  off: number,
  count: number,
): [number, string] | undefined {
  let prev = -1;
  for (let i = 0; i < count; i++, off += TT_VLAN_BYTES) {
    const vid = u16(f, off);
    if (vid > MAX_VID) return [off, `VLAN id ${vid} is above ${MAX_VID}`];
    if (vid <= prev) return [off, `VLAN ${vid} out of order or repeated`];
    prev = vid;
  }
  return undefined;
}

/** Checks `count` change records at `off`; returns a problem as [offset, detail] or undefined. */
export function checkChanges(
  f: Uint8Array,
  off: number,
  count: number,
): [number, string] | undefined {
  for (let i = 0; i < count; i++, off += TT_CHANGE_BYTES) {
    const flags = f[off]!;
    if ((flags & ~TT_WIRE_FLAGS) !== 0)
      return [off, `unknown client flags 0x${flags.toString(16)}`];
    const vid = u16(f, off + 7);
    if (vid > MAX_VID) return [off + 7, `VLAN id ${vid} is above ${MAX_VID}`];
  }
  return undefined;
}

/**
 * Validates the TT block at `off` of a frame of which it may use bytes up to `end`; returns
 * its length, or a problem as [offset, detail].
 */
export function checkTtBlock(f: Uint8Array, off: number, end: number): number | [number, string] {
  if (end - off < TT_BLOCK_HEADER_BYTES)
    return [off, `truncated TT block header (${end - off} of ${TT_BLOCK_HEADER_BYTES} bytes)`];
  const len = u16(f, off);
  const vlans = f[off + 3]!;
  const changes = u16(f, off + 4);
  const expected = TT_BLOCK_HEADER_BYTES + TT_VLAN_BYTES * vlans + TT_CHANGE_BYTES * changes;
  if (len !== expected)
    return [
      off,
      `TT block length ${len}, but ${vlans} VLANs and ${changes} changes take ${expected}`,
    ];
  if (end - off < len) return [off, `truncated TT block (${end - off} of ${len} bytes)`];
  const vOff = off + TT_BLOCK_HEADER_BYTES;
  return (
    checkVlans(f, vOff, vlans) ?? checkChanges(f, vOff + TT_VLAN_BYTES * vlans, changes) ?? len
  );
}

export function readVlans(f: Uint8Array, off: number, count: number): VlanCrc[] {
  const out: VlanCrc[] = [];
  for (let i = 0; i < count; i++, off += TT_VLAN_BYTES)
    out.push({ vid: u16(f, off), crc: u32(f, off + 2) });
  return out;
}

export function readChanges(f: Uint8Array, off: number, count: number): TtChange[] {
  const out: TtChange[] = [];
  for (let i = 0; i < count; i++, off += TT_CHANGE_BYTES)
    out.push({ flags: f[off]!, mac: readMac(f, off + 1), vid: u16(f, off + 7) });
  return out;
}

/** Reads an already validated TT block at `off`. */
export function readTtBlock(f: Uint8Array, off: number): TtBlock {
  const vlans = f[off + 3]!;
  const vOff = off + TT_BLOCK_HEADER_BYTES;
  return {
    ttvn: f[off + 2]!,
    vlans: readVlans(f, vOff, vlans),
    changes: readChanges(f, vOff + TT_VLAN_BYTES * vlans, u16(f, off + 4)),
  };
}
