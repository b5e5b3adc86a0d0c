/**
 * Options of one WAN's health tracker, named after mwan3's `interface` section (mwan3track) but
 * in milliseconds so sub-second "fast mode" needs no special case.
 *
 * | mwan3 option        | here                  | mwan3 default |
 * |---------------------|-----------------------|---------------|
 * | track_ip (list)     | targets               | —             |
 * | track_method        | method                | ping          |
 * | reliability         | reliability           | 1             |
 * | count               | count                 | 1             |
 * | timeout (s)         | timeoutMs             | 4 s           |
 * | interval (s)        | intervalMs            | 10 s          |
 * | failure_interval    | failureIntervalMs     | = interval    |
 * | recovery_interval   | recoveryIntervalMs    | = interval    |
 * | keep_failure_interval | keepFailureInterval | false         |
 * | down / up           | down / up             | 5 / 5         |
 * | check_quality       | checkQuality          | false         |
 * | failure_latency/_loss | failureLatencyMs / failureLossPct | 1000 ms / 40 % |
 * | recovery_latency/_loss | recoveryLatencyMs / recoveryLossPct | 500 ms / 10 % |
 * | initial_state       | initialState          | online        |
 *
 * @example
 * const fast = parseTrackerOptions({ targets: ['198.51.100.1'], intervalMs: 100, timeoutMs: 80, down: 3, up: 3 });
 * fast.failureIntervalMs; // 100 (defaults to intervalMs)
 */
import { z } from 'zod';
import { layeredIssues, type ValidationIssue } from '../../core/validation-issues.ts';
import { HealthConfigError } from './errors.ts';

export const probeMethods = ['icmp', 'tcp', 'http', 'https', 'dns'] as const;
export type ProbeMethod = (typeof probeMethods)[number];

const ms = z.number().int().positive();
const pct = z.number().min(0).max(100);

const schema = z
  .object({
    targets: z.array(z.string().min(1)).min(1),
    method: z.enum(probeMethods).default('icmp'),
    reliability: z.number().int().positive().default(1),
    count: z.number().int().positive().max(100).default(1),
    timeoutMs: ms.default(4_000),
    intervalMs: ms.default(10_000),
    failureIntervalMs: ms.optional(),
    recoveryIntervalMs: ms.optional(),
    keepFailureInterval: z.boolean().default(false),
    down: z.number().int().positive().default(5),
    up: z.number().int().positive().default(5),
    checkQuality: z.boolean().default(false),
    failureLatencyMs: ms.default(1_000),
    recoveryLatencyMs: ms.default(500),
    failureLossPct: pct.default(40),
    recoveryLossPct: pct.default(10),
    initialState: z.enum(['online', 'offline']).default('online'),
  })
  .strict();

export type TrackerOptionsInput = z.input<typeof schema>;
export type TrackerOptions = Required<z.output<typeof schema>>;

/** Validates and fills defaults; throws HealthConfigError naming the first bad field. */
export function parseTrackerOptions(input: unknown): TrackerOptions {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HealthConfigError(issue.path.join('.') || '(root)', issue.message);
  }
  const o = parsed.data;
  if (o.reliability > o.targets.length) {
    throw new HealthConfigError(
      'reliability',
      `${o.reliability} exceeds the ${o.targets.length} track target(s): the WAN could never be up`,
    );
  }
  // Without a gap between the thresholds there is no hysteresis: a value on the edge would flap.
  if (o.checkQuality && o.recoveryLatencyMs >= o.failureLatencyMs) {
    throw new HealthConfigError('recoveryLatencyMs', 'must be below failureLatencyMs');
  }
  if (o.checkQuality && o.recoveryLossPct >= o.failureLossPct) {
    throw new HealthConfigError('recoveryLossPct', 'must be below failureLossPct');
  }
  return {
    ...o,
    failureIntervalMs: o.failureIntervalMs ?? o.intervalMs,
    recoveryIntervalMs: o.recoveryIntervalMs ?? o.intervalMs,
  };
}

/**
 * Every problem of a tracker's options under `prefix` (empty when valid): all shape errors at
 * once; the cross-field rules (reliability, hysteresis) once the shape is right.
 */
export function trackerOptionsIssues(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return layeredIssues(schema, parseTrackerOptions, HealthConfigError, input, prefix);
}
