/**
 * How alerts become notifications: how long to wait for an incident's other alerts, how long
 * a clear must hold before "resolved" is sent, and when an incident counts as flapping.
 *
 * @example
 * const p = resolveNotifyPolicy({ groupWaitMs: 2000 });
 * p.resolveHoldMs; // 60000
 */
import { IntelliMeshError } from '../../core/errors.ts';

export interface NotifyPolicy {
  /**
   * An incident is announced only after it has been open this long; alerts of the same root
   * cause arriving meanwhile join it, and one that clears sooner is never sent. @default 10000
   */
  groupWaitMs: number;
  /**
   * "Resolved" is sent only after every alert of the incident has stayed closed this long; an
   * alert of the same root reopening meanwhile continues the incident without a new message.
   * @default 60000
   */
  resolveHoldMs: number;
  /** An incident announced this many times within `flapWindowMs` is flapping. @default 3 */
  flapCount: number;
  /** ...and a flapping incident resolves only after being clear this long. @default 3600000 */
  flapWindowMs: number;
}

export const DEFAULT_NOTIFY_POLICY: NotifyPolicy = {
  groupWaitMs: 10_000,
  resolveHoldMs: 60_000,
  flapCount: 3,
  flapWindowMs: 3_600_000,
};

export class NotifyPolicyError extends IntelliMeshError {}

export function resolveNotifyPolicy(input: Partial<NotifyPolicy> = {}): NotifyPolicy {
  const p = { ...DEFAULT_NOTIFY_POLICY, ...input };
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isFinite(v) || v < 0)
      throw new NotifyPolicyError(`notification ${k} must be a number >= 0 (got ${v})`);
  }
  if (!Number.isInteger(p.flapCount) || p.flapCount < 2)
    throw new NotifyPolicyError(
      `notification flapCount must be an integer >= 2 (got ${p.flapCount})`,
    );
  return p;
}
