/**
 * Typed errors of the routing engine: one class per condition, told apart by `name`.
 *
 * @example
 * try { decodeOgmFrame(bytes); } catch (e) { if (e instanceof OgmDecodeError) console.log(e.offset); }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** An OGM frame that is truncated, of another version, or otherwise malformed. */
export class OgmDecodeError extends IntelliMeshError {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`OGM frame invalid at byte ${offset}: ${detail}`);
  }
}

/** An engine option outside its allowed range (interval, hop penalty, gateway class, ...). */
export class RoutingOptionError extends IntelliMeshError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`routing option ${option}: ${detail}`);
  }
}
