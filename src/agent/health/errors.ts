/**
 * Typed errors of the WAN health tracker, one per condition.
 *
 * @example
 * try { parseTrackerOptions({ down: 0 }); } catch (e) { (e as Error).name; } // 'HealthConfigError'
 */
import { IntelliMeshError } from '../../core/errors.ts';

/** Tracker options that fail validation; `path` names the offending field. */
export class HealthConfigError extends IntelliMeshError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`health tracker option '${path}': ${detail}`);
  }
}

/** A probe result whose id this tracker never issued. */
export class UnknownProbeError extends IntelliMeshError {
  constructor(
    readonly probeId: string,
    readonly wan: string,
  ) {
    super(`probe result '${probeId}' was never requested by the tracker of WAN '${wan}'`);
  }
}

/** A probe result that is not well-formed (negative or non-finite round trip time). */
export class InvalidProbeResultError extends IntelliMeshError {
  constructor(
    readonly probeId: string,
    detail: string,
  ) {
    super(`probe result '${probeId}': ${detail}`);
  }
}
