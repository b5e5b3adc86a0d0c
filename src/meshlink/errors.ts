/**
 * Typed errors of the meshlink protocol: one class per condition, `name` = class name, so a
 * caller (and the fuzz test) can tell every rejection apart.
 *
 * @example
 * try { decodeFrame(bytes); } catch (e) { if (e instanceof CrcMismatchError) dropped++; }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** Base of every frame rejection by the decoder. */
export class FrameDecodeError extends IntelliMeshError {}

/** Fewer bytes than the 16-byte header. */
export class TruncatedFrameError extends FrameDecodeError {
  constructor(readonly length: number) {
    super(`frame of ${length} bytes is shorter than the 16-byte header`);
  }
}

/** The header's `size` is below 16 or larger than the bytes received. */
export class FrameSizeMismatchError extends FrameDecodeError {
  constructor(
    readonly size: number,
    readonly length: number,
  ) {
    super(`header size field ${size} does not fit the ${length} bytes received (16..${length})`);
  }
}

/** A `type` byte outside the known packet types. */
export class UnknownPacketTypeError extends FrameDecodeError {
  constructor(readonly type: number) {
    super(`unknown packet type ${type} at byte 7`);
  }
}

/** `fragment`/`fragments` bytes that cannot describe a fragment (0 of n, or k of n with k > n). */
export class BadFragmentError extends FrameDecodeError {
  constructor(
    readonly fragment: number,
    readonly fragments: number,
  ) {
    super(`fragment ${fragment} of ${fragments} is not a valid fragment number (bytes 12-13)`);
  }
}

/** The CRC at bytes 10-11 does not match the frame. */
export class CrcMismatchError extends FrameDecodeError {
  constructor(
    readonly carried: number,
    readonly computed: number,
  ) {
    super(
      `CRC mismatch at bytes 10-11: frame carries 0x${carried.toString(16).padStart(4, '0')}, ` +
        `computed 0x${computed.toString(16).padStart(4, '0')}`,
    );
  }
}

/** A frame without CRC (crc = 0, as the seed's C code sends) while the node requires one. */
export class MissingCrcError extends FrameDecodeError {
  constructor() {
    super('frame carries no CRC (bytes 10-11 are 0) and this node requires one');
  }
}

/** Encoding a frame whose fields or payload do not fit the header. */
export class FrameEncodeError extends IntelliMeshError {}

/** A message too large for 255 fragments of the medium's payload size. */
export class MessageTooLargeError extends IntelliMeshError {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`message of ${size} bytes exceeds the maximum of ${max} bytes (255 fragments)`);
  }
}

/** A medium whose MTU leaves no room for data after the 16-byte header. */
export class MtuTooSmallError extends IntelliMeshError {
  constructor(readonly mtu: number) {
    super(`medium MTU ${mtu} leaves no room for data after the 16-byte header (need 17..255)`);
  }
}

/** An address outside 1..65535 where a node or a destination address is required. */
export class InvalidAddressError extends IntelliMeshError {
  constructor(
    readonly what: string,
    readonly value: number,
  ) {
    super(`${what} ${value} is not a mesh address (1..65535)`);
  }
}

/** The destination could not be reached: retries ran out here or a relay reported it. */
export class UnreachableError extends IntelliMeshError {
  constructor(
    readonly destination: number,
    readonly reason: string,
  ) {
    super(`node ${destination} is unreachable: ${reason}`);
  }
}

/** No PONG arrived before the ping's deadline. */
export class PingTimeoutError extends IntelliMeshError {
  constructor(
    readonly destination: number,
    readonly timeoutMs: number,
  ) {
    super(`no pong from ${destination} within ${timeoutMs} ms`);
  }
}

/** No end-to-end receipt arrived for a message before its deadline. */
export class ReceiptTimeoutError extends IntelliMeshError {
  constructor(
    readonly destination: number,
    readonly timeoutMs: number,
  ) {
    super(`no receipt from ${destination} within ${timeoutMs} ms`);
  }
}

/** The remote node refused or closed the connection. */
export class ConnectionRefusedError extends IntelliMeshError {
  constructor(readonly destination: number) {
    super(`node ${destination} refused the connection`);
  }
}

/** Too many messages in flight: the bounded send queue is full. */
export class SendQueueFullError extends IntelliMeshError {
  constructor(readonly limit: number) {
    super(`send queue full (${limit} messages in flight)`);
  }
}
