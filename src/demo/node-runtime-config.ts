/**
 * The runtime configuration of a demo node's agent, the document `config.apply` carries: the
 * multi-WAN policy (mwan3 members, policies, rules), the health tracker of each WAN, the
 * hold-down before failing back from the mesh, and the gateway selection class. Validation
 * returns every problem with its path; applying a valid one rebuilds the node's agent with it.
 *
 * @example
 * const v = validateRuntimeConfig(doc, ['wan', 'lte']);
 * if (!v.ok) console.log(v.errors); // [{ path: 'trackers.lte.down', message: 'must be at least 1' }]
 */
import { z } from 'zod';
import type { ValidationIssue } from '../agent/command/config-transaction.ts';
import { trackerOptionsIssues, type TrackerOptionsInput } from '../agent/health/tracker-options.ts';
import {
  parsePolicyConfig,
  policyConfigIssues,
  type PolicyConfig,
} from '../agent/policy/policy-config.ts';
import { schemaIssues } from '../core/validation-issues.ts';
import { formatPath } from '../core/validation-path.ts';
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

// Policy and trackers have schemas of their own, checked below with their paths.
const shape = z
  .object({
    policy: z.unknown(),
    trackers: z.record(z.string(), z.unknown()),
    holdDownMs: z.number().int().min(0).max(3_600_000),
    gwSelClass: z.union([
      z.enum(['fast', 'stable', 'fast-switch']),
      z.number().int().min(4).max(255),
    ]),
  })
  .strict();

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a runtime config for a node with these WANs, each with its path
 * (`policy.members[0].weight`, `trackers.lte.down`); empty when it is valid. The controller runs
 * the same function before a push, so it refuses what the node would.
 */
export function runtimeConfigIssues(
  input: unknown,
  wanNames: readonly string[],
): ValidationIssue[] {
  if (!isRecord(input)) return [{ path: '(root)', message: 'expected a configuration object' }];
  const issues = schemaIssues(shape, input);
  // A missing policy is already reported by the shape check as required.
  if (input.policy !== undefined) {
    issues.push(...policyConfigIssues(input.policy, ['policy']));
    const members = isRecord(input.policy) ? input.policy.members : undefined;
    if (Array.isArray(members)) {
      members.forEach((m: unknown, i) => {
        if (isRecord(m) && typeof m.wan === 'string' && !wanNames.includes(m.wan))
          issues.push({
            path: formatPath(['policy', 'members', i, 'wan']),
            message: `this node has no WAN '${m.wan}' (it has ${wanNames.join(', ') || 'none'})`,
          });
      });
    }
  }
  if (isRecord(input.trackers)) {
    for (const wan of wanNames) {
      if (!(wan in input.trackers))
        issues.push({
          path: formatPath(['trackers', wan]),
          message: 'missing: every WAN needs a tracker',
        });
    }
    for (const [wan, t] of Object.entries(input.trackers)) {
      if (!wanNames.includes(wan)) {
        issues.push({
          path: formatPath(['trackers', wan]),
          message: `this node has no WAN '${wan}' (it has ${wanNames.join(', ') || 'none'})`,
        });
        continue;
      }
      issues.push(...trackerOptionsIssues(t, ['trackers', wan]));
    }
  }
  return issues;
}

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
  const errors = runtimeConfigIssues(input, wanNames);
  if (errors.length > 0) return { ok: false, errors };
  const raw = input as NodeRuntimeConfig;
  return { ok: true, config: { raw, policy: parsePolicyConfig(raw.policy) } };
}
