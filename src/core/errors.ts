/**
 * The base of every typed error in the project. Each condition has its own subclass whose
 * `name` is the class name, so callers and tests can tell conditions apart by `name`.
 *
 * @example
 * class FrameTooLargeError extends IntelliMeshError {}
 * new FrameTooLargeError('40 > 32').name; // 'FrameTooLargeError'
 */
export class IntelliMeshError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A frame larger than the medium's MTU was handed to `send`. */
export class FrameTooLargeError extends IntelliMeshError {
  constructor(
    readonly size: number,
    readonly mtu: number,
  ) {
    super(`frame of ${size} bytes exceeds the medium's MTU of ${mtu} bytes`);
  }
}

/** An operation on a medium, node or service that was already closed. */
export class ClosedError extends IntelliMeshError {}
