/**
 * The contract between the controller's HTTP API and a simulated demo mesh it may be running
 * next to: which fault targets exist, which faults are active, and the fault requests the
 * dashboard's fault panel sends (validated here, so a bad body is a 400 naming the field).
 *
 * @example
 * const parsed = faultRequestSchema.safeParse({ action: 'cut-wan', node: 'n0', wan: 'wan' });
 * if (parsed.success) faults.apply(parsed.data);
 */
import { z } from 'zod';
import { IntelliMeshError } from '../../core/errors.ts';

const target = z.string().min(1).max(64);

export const faultRequestSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('kill-node'), node: target }),
  z.strictObject({ action: z.literal('restore-node'), node: target }),
  z.strictObject({ action: z.literal('cut-wan'), node: target, wan: target }),
  z.strictObject({ action: z.literal('restore-wan'), node: target, wan: target }),
  z.strictObject({
    action: z.literal('degrade-link'),
    a: target,
    b: target,
    loss: z.number().min(0).max(1),
  }),
  z.strictObject({ action: z.literal('restore-link'), a: target, b: target }),
]);

export type FaultRequest = z.infer<typeof faultRequestSchema>;

export interface FaultTargets {
  nodes: string[];
  wans: { node: string; wan: string }[];
  links: { a: string; b: string }[];
}

/**
 * What each target is now, so the panel offers only what makes sense: kill a node that is up,
 * restore one that is down (killed, or bricked by an upgrade), cut a WAN that is up, and so on.
 */
export interface FaultState {
  nodes: { node: string; state: 'up' | 'down' }[];
  wans: { node: string; wan: string; state: 'up' | 'cut' }[];
  /** `loss` is the link's loss ratio now (0..1), degraded or not. */
  links: { a: string; b: string; state: 'normal' | 'degraded'; loss: number }[];
}

/**
 * A fault in force, readable as it is: what kind, on what (`n7`, `n5/wan`, `n1-n2`), since when
 * (ISO 8601 and integer epoch ms), its parameters, and the request that undoes it.
 */
export interface ActiveFault {
  kind: 'node-killed' | 'wan-cut' | 'link-degraded';
  target: string;
  since: string;
  since_ms: number;
  parameters: Record<string, number | string>;
  restore: FaultRequest;
}

export interface DemoFaults {
  targets(): FaultTargets;
  state(): FaultState;
  active(): ActiveFault[];
  /**
   * Applies the fault now; throws FaultTargetError for a target the mesh does not have and
   * FaultConflictError for a fault that makes no sense in the current state.
   */
  apply(request: FaultRequest): void;
}

/** A fault request naming a node, WAN or link the demo mesh does not have. */
export class FaultTargetError extends IntelliMeshError {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** A fault request that contradicts the target's state (kill a dead node, restore a live one). */
export class FaultConflictError extends IntelliMeshError {}
