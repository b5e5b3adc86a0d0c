/**
 * The runtime configuration of a demo node's agent, the document `config.apply` carries: the
 * multi-WAN policy (mwan3 members, policies, rules), the health tracker of each WAN, the
 * hold-down before failing back from the mesh, and the gateway selection class. Validation
 * returns every problem with its path; applying a valid one rebuilds the node's agent with it.
 *
 * @example
 * const v = validateRuntimeConfig(doc, ['wan', 'lte']);
 * if (!v.ok) console.log(v.errors); // [{ path: 'trackers.lte.down', message: '...' }]
 */
import { z } from 'zod';
import type { ValidationIssue } from '../agent/command/config-transaction.ts';
import { parseTrackerOptions, type TrackerOptionsInput } from '../agent/health/tracker-options.ts';
import { parsePolicyConfig, type PolicyConfig } from '../agent/policy/policy-config.ts';
import type { GatewaySelClass } from '../agent/policy/gateway-select.ts';
import type { DemoWan } from './demo-scenario.ts';

export interface NodeRuntimeConfig {
  /** mwan3-style members, policies and rules, as `parsePolicyConfig` reads them. */
  policy: {
    members: { name: string; wan: string; metric?: number; weight?: number }[];
    policies: { name: string; members: string[]; lastResort?: string }[];
    rules: Record<string, unknown>[];
  };
  /** Health tracker options per WAN name. */
  trackers: Record<string, TrackerOptionsInput>;
  holdDownMs: number;
  gwSelClass: GatewaySelClass;
}

export interface ParsedRuntimeConfig {
  raw: NodeRuntimeConfig;
  policy: PolicyConfig;
}

const shape = z
  .object({
    policy: z.object({
      members: z.array(z.record(z.string(), z.unknown())),
      policies: z.array(z.record(z.string(), z.unknown())),
      rules: z.array(z.record(z.string(), z.unknown())),
    }),
    trackers: z.record(z.string(), z.record(z.string(), z.unknown())),
    holdDownMs: z.number().int().min(0).max(3_600_000),
    gwSelClass: z.union([
      z.enum(['fast', 'stable', 'fast-switch']),
      z.number().int().min(4).max(255),
    ]),
  })
  .strict();

/** The configuration a node starts with: fast WAN checks, balance over its WANs 3:1. */
export function defaultRuntimeConfig(wans: readonly DemoWan[]): NodeRuntimeConfig {
  const members = wans.map((w, i) => ({
    name: `${w.name}_m1`,
    wan: w.name,
    metric: 1,
    weight: i === 0 ? 3 : 1,
  }));
  return {
    policy: {
      members,
      policies:
        members.length === 0
          ? []
          : [{ name: 'balanced', members: members.map((m) => m.name), lastResort: 'mesh' }],
      rules: members.length === 0 ? [] : [{ name: 'default', policy: 'balanced' }],
    },
    trackers: Object.fromEntries(
      wans.map((w) => [
        w.name,
        {
          targets: ['198.51.100.1', '198.51.100.2'],
          intervalMs: 500,
          timeoutMs: 300,
          down: 3,
          up: 3,
        },
      ]),
    ),
    holdDownMs: 10_000,
    gwSelClass: 20,
  };
}

export function validateRuntimeConfig(
  input: unknown,
  wanNames: readonly string[],
): { ok: true; config: ParsedRuntimeConfig } | { ok: false; errors: ValidationIssue[] } {
  const parsed = shape.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(root)',
        message: i.message,
      })),
    };
  }
  const errors: ValidationIssue[] = [];
  const raw = parsed.data as unknown as NodeRuntimeConfig;
  let policy: PolicyConfig | undefined;
  try {
    policy = parsePolicyConfig(raw.policy);
  } catch (e) {
    const p = (e as { path?: string }).path;
    errors.push({ path: `policy.${p ?? ''}`, message: (e as Error).message });
  }
  raw.policy.members.forEach((m, i) => {
    if (!wanNames.includes(m.wan))
      errors.push({ path: `policy.members.${i}.wan`, message: `this node has no WAN '${m.wan}'` });
  });
  for (const wan of wanNames) {
    if (!(wan in raw.trackers))
      errors.push({ path: `trackers.${wan}`, message: 'missing: every WAN needs a tracker' });
  }
  for (const [wan, t] of Object.entries(raw.trackers)) {
    if (!wanNames.includes(wan)) {
      errors.push({ path: `trackers.${wan}`, message: `this node has no WAN '${wan}'` });
      continue;
    }
    try {
      parseTrackerOptions(t);
    } catch (e) {
      const p = (e as { path?: string }).path;
      errors.push({ path: `trackers.${wan}.${p ?? ''}`, message: (e as Error).message });
    }
  }
  if (errors.length > 0 || !policy) return { ok: false, errors };
  return { ok: true, config: { raw, policy } };
}
