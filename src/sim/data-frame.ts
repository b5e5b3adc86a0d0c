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

export function encodeDataFrame(h: DataHeader, size: number): Uint8Array {
  const header = h.client === undefined ? DATA_HEADER_BYTES : CLIENT_DATA_HEADER_BYTES;
  const out = new Uint8Array(Math.max(size, header));
  const v = new DataView(out.buffer);
  v.setUint16(0, h.src);
  v.setUint16(2, h.dst);
  v.setUint8(4, h.ttl);
  v.setUint16(6, h.flow);
  v.setUint32(8, h.seq >>> 0);
  if (h.client !== undefined) {
    v.setUint8(5, KIND_CLIENT);
    writeMac(h.client, out, 12);
    v.setUint8(18, h.roamForwards ?? 0);
  }
  return out;
}

export function decodeDataFrame(frame: Uint8Array): DataHeader {
  if (frame.length < DATA_HEADER_BYTES) {
    throw new DataFrameError(
      `data frame of ${frame.length} bytes is shorter than its ${DATA_HEADER_BYTES}-byte header`,
    );
  }
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const kind = v.getUint8(5);
  if (kind !== KIND_NODE && kind !== KIND_CLIENT)
    throw new DataFrameError(
      `data frame kind ${kind} at byte 5 is neither 0 (node) nor 1 (client)`,
    );
  const h: DataHeader = {
    src: v.getUint16(0),
    dst: v.getUint16(2),
    ttl: v.getUint8(4),
    flow: v.getUint16(6),
    seq: v.getUint32(8),
  };
  if (kind === KIND_NODE) return h;
  if (frame.length < CLIENT_DATA_HEADER_BYTES) {
    throw new DataFrameError(
      `client data frame of ${frame.length} bytes is shorter than its ${CLIENT_DATA_HEADER_BYTES}-byte header`,
    );
  }
  if (v.getUint8(19) !== 0) throw new DataFrameError('client data frame reserved byte 19 is not 0');
  h.client = readMac(frame, 12);
  h.roamForwards = v.getUint8(18);
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
