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

/** A fault in force: the request that made it and when (wall-clock ms). */
export type ActiveFault = FaultRequest & { since: number };

export interface DemoFaults {
  targets(): FaultTargets;
  active(): ActiveFault[];
  /** Applies the fault now; throws FaultTargetError for a target the mesh does not have. */
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
