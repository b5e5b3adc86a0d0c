/**
 * The simulator's own minimal data frame, used to measure delivery over the routing engine's
 * next hops until meshlink traffic runs in the simulator (big-endian). Two kinds, told apart
 * by byte 5:
 *
 *   0 u16 source address   2 u16 destination address   4 u8 TTL   5 u8 kind
 *   6 u16 flow id          8 u32 sequence number
 *   kind 0 (node-addressed): 12.. padding up to the flow's size
 *   kind 1 (client-addressed): 12 6 bytes client MAC, 18 u8 roam forwards (times a node the
 *     client had left passed the frame on to its new originator), 19 u8 reserved (0),
 *     20.. padding. The destination address is the client's originator as the sender saw it.
 *
 * @example
 * const f = encodeDataFrame({ src: 1, dst: 5, ttl: 32, flow: 0, seq: 9 }, 64);
 * decodeDataFrame(f).seq; // 9
 * const c = encodeDataFrame({ src: 1, dst: 5, ttl: 32, flow: 0, seq: 9, client: 'aa:bb:cc:dd:ee:01', roamForwards: 0 }, 64);
 * decodeDataFrame(c).client; // 'aa:bb:cc:dd:ee:01'
 */
import { IntelliMeshError } from '../core/errors.ts';
import { readMac, writeMac } from '../routing/translation-table/client-mac.ts';

export const DATA_HEADER_BYTES = 12;
export const CLIENT_DATA_HEADER_BYTES = 20;
export const KIND_NODE = 0;
export const KIND_CLIENT = 1;

export interface DataHeader {
  src: number;
  dst: number;
  ttl: number;
  flow: number;
  seq: number;
  /** Client-addressed frames: the station's MAC. */
  client?: string;
  /** Client-addressed frames: how often the frame was re-forwarded after a roam. */
  roamForwards?: number;
}

/** A data frame shorter than its header, of an unknown kind, or with a non-zero reserved byte. */
export class DataFrameError extends IntelliMeshError {}

// Bytes are written and read directly: a DataView per frame was a tenth of the grid bench's
// simulator-side CPU (issue 16). The masks do what DataView's setters do with out-of-range values.
export function encodeDataFrame(h: DataHeader, size: number): Uint8Array {
  const header = h.client === undefined ? DATA_HEADER_BYTES : CLIENT_DATA_HEADER_BYTES;
  const out = new Uint8Array(Math.max(size, header));
  writeU16(out, 0, h.src);
  writeU16(out, 2, h.dst);
  out[4] = h.ttl & 0xff;
  writeU16(out, 6, h.flow);
  const seq = h.seq >>> 0;
  out[8] = seq >>> 24;
  out[9] = (seq >>> 16) & 0xff;
  out[10] = (seq >>> 8) & 0xff;
  out[11] = seq & 0xff;
  if (h.client !== undefined) {
    out[5] = KIND_CLIENT;
    writeMac(h.client, out, 12);
    out[18] = (h.roamForwards ?? 0) & 0xff;
  }
  return out;
}

function writeU16(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >> 8) & 0xff;
  out[at + 1] = value & 0xff;
}

export function decodeDataFrame(frame: Uint8Array): DataHeader {
  if (frame.length < DATA_HEADER_BYTES) {
    throw new DataFrameError(
      `data frame of ${frame.length} bytes is shorter than its ${DATA_HEADER_BYTES}-byte header`,
    );
  }
  const kind = frame[5]!;
  if (kind !== KIND_NODE && kind !== KIND_CLIENT)
    throw new DataFrameError(
      `data frame kind ${kind} at byte 5 is neither 0 (node) nor 1 (client)`,
    );
  const h: DataHeader = {
    src: (frame[0]! << 8) | frame[1]!,
    dst: (frame[2]! << 8) | frame[3]!,
    ttl: frame[4]!,
    flow: (frame[6]! << 8) | frame[7]!,
    seq: ((frame[8]! << 24) | (frame[9]! << 16) | (frame[10]! << 8) | frame[11]!) >>> 0,
  };
  if (kind === KIND_NODE) return h;
  if (frame.length < CLIENT_DATA_HEADER_BYTES) {
    throw new DataFrameError(
      `client data frame of ${frame.length} bytes is shorter than its ${CLIENT_DATA_HEADER_BYTES}-byte header`,
    );
  }
  if (frame[19] !== 0) throw new DataFrameError('client data frame reserved byte 19 is not 0');
  h.client = readMac(frame, 12);
  h.roamForwards = frame[18]!;
  return h;
}

/** Decrements the TTL in place on a private copy, for forwarding. */
export function withTtl(frame: Uint8Array, ttl: number): Uint8Array {
  const copy = frame.slice();
  copy[4] = ttl;
  return copy;
}

/** A private copy of a client-addressed frame sent on to the client's new originator. */
export function reForwarded(frame: Uint8Array, dst: number, ttl: number): Uint8Array {
  const copy = frame.slice();
  copy[2] = (dst >> 8) & 0xff;
  copy[3] = dst & 0xff;
  copy[4] = ttl;
  copy[18] = copy[18]! + 1;
  return copy;
}
