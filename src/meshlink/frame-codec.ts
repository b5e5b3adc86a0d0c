/**
 * The wire format: the seed's packed C `Packet_` struct, 16 bytes little-endian, then data.
 *
 * ```
 * 0 src u16 | 2 dst u16 | 4 hop u16 | 6 size u8 | 7 type u8 | 8 sequence u8 | 9 response u8
 * 10 crc u16 | 12 fragment u8 | 13 fragments u8 | 14 attempt u8 | 15 hops u8 | 16 data…
 * ```
 *
 * `size` counts header plus data. The CRC (see crc16.ts) covers the first `size` bytes with
 * crc, hop, attempt and hops read as zero, so a relay rewrites hop/hops/attempt without
 * recomputing it. A carried CRC of 0 means "no CRC" (the seed's C code never fills it in);
 * `requireCrc` rejects such frames unless the frame's CRC really is 0.
 *
 * @example
 * const bytes = encodeFrame({ ...emptyFrame(), src: 42, dst: 69, type: PacketType.Ping });
 * const buf = new Uint8Array(255); encodeFrameInto(frame, buf); // no allocation
 * decodeFrame(bytes).src; // 42
 */
import { crc16Frame } from './crc16.ts';
import {
  BadFragmentError,
  CrcMismatchError,
  FrameEncodeError,
  FrameSizeMismatchError,
  MissingCrcError,
  TruncatedFrameError,
  UnknownPacketTypeError,
} from './errors.ts';
import { PACKET_TYPE_LAST } from './packet-type.ts';

export const HEADER_SIZE = 16;
/** `size` is one byte, so no frame exceeds 255 bytes whatever the medium. */
export const MAX_FRAME_SIZE = 255;

export interface Frame {
  src: number;
  dst: number;
  /** The last relay; 0 asks for open relaying, `dst` forbids relaying. */
  hop: number;
  type: number;
  sequence: number;
  response: number;
  /** As carried on the wire (0 = none); the encoder fills it in. */
  crc: number;
  fragment: number;
  fragments: number;
  attempt: number;
  hops: number;
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Reject frames with crc = 0 (the seed's "no CRC"). @default false */
  requireCrc?: boolean;
}

const EMPTY = new Uint8Array(0);

/** A frame with every field zero and fragment 1 of 1, the seed's `NewPacket(0)` plus defaults. */
export function emptyFrame(): Frame {
  return {
    src: 0,
    dst: 0,
    hop: 0,
    type: 0,
    sequence: 0,
    response: 0,
    crc: 0,
    fragment: 1,
    fragments: 1,
    attempt: 1,
    hops: 0,
    data: EMPTY,
  };
}

/** The CRC of the first `size` bytes of `bytes`, with crc/hop/attempt/hops read as zero. */
export function frameCrc(bytes: Uint8Array, size: number): number {
  return crc16Frame(bytes, size);
}

function checkField(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new FrameEncodeError(`${name} ${value} does not fit 0..${max}`);
  }
}

/**
 * Encodes a frame into a new buffer of exactly its size.
 * `withCrc: false` writes crc = 0, as the seed's C code does.
 */
export function encodeFrame(frame: Frame, withCrc = true): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + frame.data.length);
  encodeFrameInto(frame, out, withCrc);
  return out;
}

function checkFields(frame: Frame): void {
  checkField('src', frame.src, 0xffff);
  checkField('dst', frame.dst, 0xffff);
  checkField('hop', frame.hop, 0xffff);
  checkField('type', frame.type, 0xff);
  checkField('sequence', frame.sequence, 0xff);
  checkField('response', frame.response, 0xff);
  checkField('fragment', frame.fragment, 0xff);
  checkField('fragments', frame.fragments, 0xff);
  checkField('attempt', frame.attempt, 0xff);
  checkField('hops', frame.hops, 0xff);
}

/**
 * Encodes a frame into `b` (at least its size) and returns the size, allocating nothing: the
 * hot path for relays and benches. `decodeFrame(b)` reads it back, the size byte says where
 * the frame ends.
 */
export function encodeFrameInto(frame: Frame, b: Uint8Array, withCrc = true): number {
  const data = frame.data;
  const size = HEADER_SIZE + data.length;
  if (size > MAX_FRAME_SIZE) {
    throw new FrameEncodeError(`frame of ${size} bytes exceeds ${MAX_FRAME_SIZE}`);
  }
  // One combined test on the fast path; a value that is negative, fractional or too wide
  // changes under the mask.
  if (
    (frame.src & 0xffff) !== frame.src ||
    (frame.dst & 0xffff) !== frame.dst ||
    (frame.hop & 0xffff) !== frame.hop ||
    (frame.type & 0xff) !== frame.type ||
    (frame.sequence & 0xff) !== frame.sequence ||
    (frame.response & 0xff) !== frame.response ||
    (frame.fragment & 0xff) !== frame.fragment ||
    (frame.fragments & 0xff) !== frame.fragments ||
    (frame.attempt & 0xff) !== frame.attempt ||
    (frame.hops & 0xff) !== frame.hops
  ) {
    checkFields(frame);
  }
  if (b.length < size) throw new FrameEncodeError(`output buffer of ${b.length} < ${size} bytes`);
  b[0] = frame.src & 0xff;
  b[1] = frame.src >>> 8;
  b[2] = frame.dst & 0xff;
  b[3] = frame.dst >>> 8;
  b[4] = frame.hop & 0xff;
  b[5] = frame.hop >>> 8;
  b[6] = size;
  b[7] = frame.type;
  b[8] = frame.sequence;
  b[9] = frame.response;
  b[12] = frame.fragment;
  b[13] = frame.fragments;
  b[14] = frame.attempt;
  b[15] = frame.hops;
  // A loop beats TypedArray.set's call overhead for the short payloads of small radios.
  if (data.length <= 32) for (let i = 0; i < data.length; i++) b[HEADER_SIZE + i] = data[i]!;
  else b.set(data, HEADER_SIZE);
  const crc = withCrc ? crc16Frame(b, size) : 0;
  b[10] = crc & 0xff;
  b[11] = crc >>> 8;
  frame.crc = crc;
  return size;
}

/**
 * Decodes and validates one frame. Bytes after `size` (radio padding) are ignored; `data` is a
 * view into `bytes`, not a copy. Throws a FrameDecodeError subclass naming the bad field.
 */
export function decodeFrame(bytes: Uint8Array, options?: DecodeOptions): Frame {
  const length = bytes.length;
  if (length < HEADER_SIZE) throw new TruncatedFrameError(length);
  const size = bytes[6]!;
  if (size < HEADER_SIZE || size > length) throw new FrameSizeMismatchError(size, length);
  const type = bytes[7]!;
  if (type >= PACKET_TYPE_LAST) throw new UnknownPacketTypeError(type);
  const fragment = bytes[12]!;
  const fragments = bytes[13]!;
  if (fragment === 0 || fragments === 0 || fragment > fragments) {
    throw new BadFragmentError(fragment, fragments);
  }
  const crc = bytes[10]! | (bytes[11]! << 8);
  if (crc !== 0 || options?.requireCrc === true) {
    const computed = crc16Frame(bytes, size);
    if (computed !== crc) {
      if (crc === 0) throw new MissingCrcError();
      throw new CrcMismatchError(crc, computed);
    }
  }
  return {
    src: bytes[0]! | (bytes[1]! << 8),
    dst: bytes[2]! | (bytes[3]! << 8),
    hop: bytes[4]! | (bytes[5]! << 8),
    type,
    sequence: bytes[8]!,
    response: bytes[9]!,
    crc,
    fragment,
    fragments,
    attempt: bytes[14]!,
    hops: bytes[15]!,
    data: bytes.subarray(HEADER_SIZE, size),
  };
}
