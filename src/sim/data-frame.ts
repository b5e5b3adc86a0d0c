/**
 * The simulator's own minimal data frame, used to measure delivery over the routing engine's
 * next hops until meshlink traffic runs in the simulator (big-endian):
 *
 *   0 u16 source address   2 u16 destination address   4 u8 TTL   5 u8 reserved (0)
 *   6 u16 flow id          8 u32 sequence number       12.. padding up to the flow's size
 *
 * @example
 * const f = encodeDataFrame({ src: 1, dst: 5, ttl: 32, flow: 0, seq: 9 }, 64);
 * decodeDataFrame(f).seq; // 9
 */
import { IntelliMeshError } from '../core/errors.ts';

export const DATA_HEADER_BYTES = 12;

export interface DataHeader {
  src: number;
  dst: number;
  ttl: number;
  flow: number;
  seq: number;
}

/** A data frame shorter than its header or with a non-zero reserved byte. */
export class DataFrameError extends IntelliMeshError {}

export function encodeDataFrame(h: DataHeader, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, DATA_HEADER_BYTES));
  const v = new DataView(out.buffer);
  v.setUint16(0, h.src);
  v.setUint16(2, h.dst);
  v.setUint8(4, h.ttl);
  v.setUint16(6, h.flow);
  v.setUint32(8, h.seq >>> 0);
  return out;
}

export function decodeDataFrame(frame: Uint8Array): DataHeader {
  if (frame.length < DATA_HEADER_BYTES) {
    throw new DataFrameError(
      `data frame of ${frame.length} bytes is shorter than its ${DATA_HEADER_BYTES}-byte header`,
    );
  }
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (v.getUint8(5) !== 0) throw new DataFrameError('data frame reserved byte 5 is not 0');
  return {
    src: v.getUint16(0),
    dst: v.getUint16(2),
    ttl: v.getUint8(4),
    flow: v.getUint16(6),
    seq: v.getUint32(8),
  };
}

/** Decrements the TTL in place on a private copy, for forwarding. */
export function withTtl(frame: Uint8Array, ttl: number): Uint8Array {
  const copy = frame.slice();
  copy[4] = ttl;
  return copy;
}
