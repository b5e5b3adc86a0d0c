/**
 * Typed errors of the media, one class per condition, so callers branch on `name` rather than on
 * message text. The shared conditions (FrameTooLargeError, ClosedError) live in core.
 *
 * @example
 * try {
 *   await openUdpMedium({ bind: '127.0.0.1:4000', peers: [] });
 * } catch (e) {
 *   if (e instanceof AddressInUseError) console.error(e.message);
 * }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A HOST:PORT string, a bind address or a peer that cannot be parsed or used. */
export class InvalidAddressError extends IntelliMeshError {
  constructor(
    readonly address: string,
    readonly what: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} '${address}' is invalid: ${reason}`, options);
  }
}

/** Another socket already holds the UDP port we were asked to bind. */
export class AddressInUseError extends IntelliMeshError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot bind ${address}: the address is already in use`, options);
  }
}

/** A node name attached twice to the same memory hub. */
export class DuplicateNodeError extends IntelliMeshError {
  constructor(readonly node: string) {
    super(`node '${node}' is already attached to this hub`);
  }
}

/** A unicast to a peer a point-to-point medium does not have. */
export class UnknownPeerError extends IntelliMeshError {
  constructor(
    readonly peer: string,
    readonly known: string,
  ) {
    super(`unknown link peer '${peer}': this point-to-point link only reaches '${known}'`);
  }
}

/** A serial device that could not be opened (missing path, permissions, bad baud rate). */
export class SerialOpenError extends IntelliMeshError {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot open serial device '${path}': ${reason}`, options);
  }
}

/** An option of a medium or link model outside its allowed range. */
export class InvalidMediumOptionError extends IntelliMeshError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`option ${option} = ${String(value)} is invalid: expected ${expected}`);
  }
}
