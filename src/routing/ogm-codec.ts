/**
 * The OGM wire format (our own, big-endian; documented in docs/simulator-and-routing.md).
 * A frame carries one or more OGMs back to back, as batman-adv aggregates them.
 *
 *   off len field
 *   0   1   packet type 0x49 ('I', B.A.T.M.A.N. IV)
 *   1   1   version (1)
 *   2   1   TTL
 *   3   1   flags: 0x01 DIRECTLINK, 0x02 GATEWAY, 0x04 TT
 *   4   4   originator sequence number
 *   8   2   originator address
 *   10  2   previous sender (the neighbour this copy was forwarded from)
 *   12  1   TQ 0..255
 *   13  1   length of the optional block that follows (0, or 8 with GATEWAY)
 *   14  8   GATEWAY: download then upload bandwidth, u32 each, in units of 100 kbit/s
 *   14/22 ..  TT (after the gateway block when both are present): the translation-table block
 *           of translation-table/tt-block.ts, which starts with its own u16 length: TTVN,
 *           per-VLAN CRCs and the diff since the previous TTVN. A node without the
 *           translation table never sets TT, so its frames are byte for byte as before.
 *
 * @example
 * const bytes = encodeOgm({ ttl: 50, flags: 0, seqno: 7, originator: 3, prevSender: 3, tq: 255 });
 * decodeOgmFrame(bytes)[0]!.seqno; // 7
 */
import { OgmDecodeError } from './errors.ts';
import {
  checkTtBlock,
  readTtBlock,
  type TtBlock,
  ttBlockSize,
  writeTtBlock,
} from './translation-table/tt-block.ts';

export const OGM_PACKET_TYPE = 0x49;
export const OGM_VERSION = 1;
export const OGM_HEADER_BYTES = 14;
export const GATEWAY_BLOCK_BYTES = 8;

export const FLAG_DIRECTLINK = 0x01;
export const FLAG_GATEWAY = 0x02;
export const FLAG_TT = 0x04;
const KNOWN_FLAGS = FLAG_DIRECTLINK | FLAG_GATEWAY | FLAG_TT;

export interface Ogm {
  ttl: number;
  flags: number;
  seqno: number;
  originator: number;
  prevSender: number;
  tq: number;
  /** Present when flags has FLAG_GATEWAY: bandwidths in units of 100 kbit/s. */
  gateway?: { down: number; up: number } | undefined;
  /** Present when flags has FLAG_TT: the originator's translation-table block, forwarded unchanged. */
  tt?: TtBlock | undefined;
}

export function ogmSize(ogm: Ogm): number {
  return (
    OGM_HEADER_BYTES + (ogm.gateway ? GATEWAY_BLOCK_BYTES : 0) + (ogm.tt ? ttBlockSize(ogm.tt) : 0)
  );
}

/**
 * Writes `ogm` into `out` at `offset`; returns the offset after it. Byte by byte rather than
 * through a DataView: a forwarded frame writes about a dozen OGMs, and a view each was garbage.
 */
export function writeOgm(ogm: Ogm, out: Uint8Array, offset: number): number {
  const flags =
    (ogm.flags & FLAG_DIRECTLINK) | (ogm.gateway ? FLAG_GATEWAY : 0) | (ogm.tt ? FLAG_TT : 0);
  out[offset] = OGM_PACKET_TYPE;
  out[offset + 1] = OGM_VERSION;
  out[offset + 2] = ogm.ttl;
  out[offset + 3] = flags;
  writeU32(out, offset + 4, ogm.seqno);
  out[offset + 8] = ogm.originator >>> 8;
  out[offset + 9] = ogm.originator;
  out[offset + 10] = ogm.prevSender >>> 8;
  out[offset + 11] = ogm.prevSender;
  out[offset + 12] = ogm.tq;
  if (ogm.gateway) {
    out[offset + 13] = GATEWAY_BLOCK_BYTES;
    writeU32(out, offset + 14, ogm.gateway.down);
    writeU32(out, offset + 18, ogm.gateway.up);
  } else {
    out[offset + 13] = 0;
  }
  const end = offset + OGM_HEADER_BYTES + (ogm.gateway ? GATEWAY_BLOCK_BYTES : 0);
  return ogm.tt ? writeTtBlock(ogm.tt, out, end) : end;
}

/** Big-endian u32 (a Uint8Array keeps the low 8 bits of each number written). */
function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
}

export function encodeOgm(ogm: Ogm): Uint8Array {
  const out = new Uint8Array(ogmSize(ogm));
  writeOgm(ogm, out, 0);
  return out;
}

/** Concatenates OGMs into one aggregated frame. */
export function encodeOgmFrame(ogms: readonly Ogm[]): Uint8Array {
  let size = 0;
  for (const o of ogms) size += ogmSize(o);
  const out = new Uint8Array(size);
  let off = 0;
  for (const o of ogms) off = writeOgm(o, out, off);
  return out;
}

/**
 * Checks every OGM header of a frame without building objects; returns how many OGMs it holds.
 * Throws OgmDecodeError on the first malformed byte, so a caller acts on the whole frame or on
 * nothing of it.
 */
export function validateOgmFrame(frame: Uint8Array): number {
  if (frame.length === 0) throw new OgmDecodeError(0, 'empty frame');
  let off = 0;
  let count = 0;
  while (off < frame.length) {
    if (frame.length - off < OGM_HEADER_BYTES) {
      throw new OgmDecodeError(
        off,
        `truncated header (${frame.length - off} of ${OGM_HEADER_BYTES} bytes)`,
      );
    }
    const type = frame[off]!;
    if (type !== OGM_PACKET_TYPE)
      throw new OgmDecodeError(off, `packet type 0x${type.toString(16)} is not an OGM`);
    const version = frame[off + 1]!;
    if (version !== OGM_VERSION)
      throw new OgmDecodeError(off + 1, `version ${version}, expected ${OGM_VERSION}`);
    const flags = frame[off + 3]!;
    if ((flags & ~KNOWN_FLAGS) !== 0)
      throw new OgmDecodeError(off + 3, `unknown flags 0x${flags.toString(16)}`);
    const blockLen = frame[off + 13]!;
    const expected = flags & FLAG_GATEWAY ? GATEWAY_BLOCK_BYTES : 0;
    if (blockLen !== expected) {
      throw new OgmDecodeError(
        off + 13,
        `optional block of ${blockLen} bytes, expected ${expected}`,
      );
    }
    if (frame.length - off < OGM_HEADER_BYTES + blockLen) {
      throw new OgmDecodeError(off + OGM_HEADER_BYTES, 'truncated gateway block');
    }
    off += OGM_HEADER_BYTES + blockLen;
    if (flags & FLAG_TT) {
      const tt = checkTtBlock(frame, off, frame.length);
      if (typeof tt !== 'number') throw new OgmDecodeError(tt[0], tt[1]);
      off += tt;
    }
    count++;
  }
  return count;
}

/**
 * Reads the OGM at `off` of an already validated frame into `into` (reused by the hot path to
 * avoid an allocation per OGM); returns the offset of the next one.
 */
export function readOgm(frame: Uint8Array, off: number, into: Ogm): number {
  into.ttl = frame[off + 2]!;
  into.flags = frame[off + 3]!;
  into.seqno =
    ((frame[off + 4]! << 24) |
      (frame[off + 5]! << 16) |
      (frame[off + 6]! << 8) |
      frame[off + 7]!) >>>
    0;
  into.originator = (frame[off + 8]! << 8) | frame[off + 9]!;
  into.prevSender = (frame[off + 10]! << 8) | frame[off + 11]!;
  into.tq = frame[off + 12]!;
  if (into.flags & FLAG_GATEWAY) {
    const u32 = (i: number): number =>
      ((frame[i]! << 24) | (frame[i + 1]! << 16) | (frame[i + 2]! << 8) | frame[i + 3]!) >>> 0;
    into.gateway = { down: u32(off + 14), up: u32(off + 18) };
    off += OGM_HEADER_BYTES + GATEWAY_BLOCK_BYTES;
  } else {
    into.gateway = undefined;
    off += OGM_HEADER_BYTES;
  }
  if (into.flags & FLAG_TT) {
    into.tt = readTtBlock(frame, off);
    return off + ttBlockSize(into.tt);
  }
  into.tt = undefined;
  return off;
}

/** The originator of the OGM at `off` of an already validated frame. */
export function ogmOriginatorAt(frame: Uint8Array, off: number): number {
  return (frame[off + 8]! << 8) | frame[off + 9]!;
}

/** The offset of the OGM after the one at `off` of an already validated frame. */
export function nextOgmOffset(frame: Uint8Array, off: number): number {
  const end = off + OGM_HEADER_BYTES + frame[off + 13]!;
  // A TT block starts with its own length (tt-block.ts).
  return frame[off + 3]! & FLAG_TT ? end + ((frame[end]! << 8) | frame[end + 1]!) : end;
}

/** Decodes every OGM of a frame; throws OgmDecodeError, never returns half a frame. */
export function decodeOgmFrame(frame: Uint8Array): Ogm[] {
  validateOgmFrame(frame);
  const out: Ogm[] = [];
  let off = 0;
  while (off < frame.length) {
    const ogm: Ogm = { ttl: 0, flags: 0, seqno: 0, originator: 0, prevSender: 0, tq: 0 };
    off = readOgm(frame, off, ogm);
    if (!ogm.gateway) delete ogm.gateway;
    if (!ogm.tt) delete ogm.tt;
    out.push(ogm);
  }
  return out;
}
