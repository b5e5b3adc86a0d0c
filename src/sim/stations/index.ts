/**
 * Stations in the simulator (and the demo): movement, signal from APs, AP choice with
 * hysteresis, and the (re)association cost model. See docs/roaming.md.
 */
export { DEFAULT_ROAM_POLICY, decide, newChoiceState } from './ap-choice.ts';
export type { ChoiceState, Decision, RoamPolicy } from './ap-choice.ts';
export { DEFAULT_TIMINGS, sampleAssociation } from './assoc-timing.ts';
export type {
  AssocCost,
  AssocMethod,
  AssocPhases,
  AssocRequest,
  AssocTimings,
  AuthMethod,
  FtMode,
  PhaseRange,
} from './assoc-timing.ts';
export { createMover, distance, MovementError } from './movement.ts';
export type { Bounds, MovementSpec, Mover, Point } from './movement.ts';
export { DEFAULT_PATH_LOSS, meanSignalDbm, Shadowing } from './path-loss.ts';
export type { PathLossParams } from './path-loss.ts';
export { StationError, StationField } from './station-field.ts';
export type {
  FieldAp,
  StationAtAp,
  StationEvent,
  StationFieldOptions,
  StationSpec,
} from './station-field.ts';
