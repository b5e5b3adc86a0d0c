/**
 * The multi-WAN policy config, shaped like mwan3's `member`, `policy` and `rule` sections.
 *
 * - member: one WAN with a `metric` (lower is preferred) and a `weight` (share within a metric).
 * - policy: a list of members and what to do when none is usable (`lastResort`): mwan3's
 *   `unreachable`, `blackhole` or `default` (main table), plus `mesh`, ours: send the traffic to
 *   the best neighbouring gateway over the mesh. `mesh` is the default, mwan3's is `unreachable`.
 * - rule: matches flows by source zone, VLAN, source/destination prefix, protocol and port, in
 *   order; the first match picks the policy. `sticky` keeps a source on one WAN for `timeoutMs`.
 *
 * @example
 * const cfg = parsePolicyConfig({
 *   members: [{ name: 'wan_m1', wan: 'wan', metric: 1 }, { name: 'lte_m2', wan: 'lte', metric: 2 }],
 *   policies: [{ name: 'failover', members: ['wan_m1', 'lte_m2'] }],
 *   rules: [{ name: 'default', policy: 'failover' }],
 * });
 */
import { z } from 'zod';
import { layeredIssues, type ValidationIssue } from '../../core/validation-issues.ts';
import { PolicyConfigError } from './errors.ts';
import { parseIpv4Prefix, type Ipv4Prefix } from './ipv4-prefix.ts';

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'letters, digits, _ . - (1 to 32)');

const schema = z
  .object({
    members: z.array(
      z
        .object({
          name,
          wan: name,
          metric: z.number().int().min(1).max(256).default(1),
          weight: z.number().int().min(1).max(1000).default(1),
        })
        .strict(),
    ),
    policies: z.array(
      z
        .object({
          name,
          members: z.array(name).min(1),
          lastResort: z.enum(['unreachable', 'blackhole', 'default', 'mesh']).default('mesh'),
        })
        .strict(),
    ),
    rules: z.array(
      z
        .object({
          name,
          srcZone: z.string().min(1).optional(),
          srcVlan: z.number().int().min(1).max(4094).optional(),
          srcIp: z.string().optional(),
          destIp: z.string().optional(),
          proto: z.enum(['all', 'tcp', 'udp', 'icmp']).default('all'),
          destPort: z.number().int().min(1).max(65535).optional(),
          sticky: z.boolean().default(false),
          timeoutMs: z.number().int().positive().default(600_000),
          policy: name,
        })
        .strict(),
    ),
  })
  .strict();

type Raw = z.output<typeof schema>;
export type Member = Raw['members'][number];
export type Policy = Raw['policies'][number];
export type LastResort = Policy['lastResort'];
export type Rule = Omit<Raw['rules'][number], 'srcIp' | 'destIp'> & {
  srcIp?: Ipv4Prefix | undefined;
  destIp?: Ipv4Prefix | undefined;
};

export interface PolicyConfig {
  members: ReadonlyMap<string, Member>;
  policies: ReadonlyMap<string, Policy>;
  rules: readonly Rule[];
}

function unique<T extends { name: string }>(items: readonly T[], path: string): Map<string, T> {
  const map = new Map<string, T>();
  items.forEach((item, i) => {
    if (map.has(item.name))
      throw new PolicyConfigError(`${path}.${i}.name`, `duplicate name '${item.name}'`);
    map.set(item.name, item);
  });
  return map;
}

/** Validates shape and references; throws PolicyConfigError naming the first bad field. */
export function parsePolicyConfig(input: unknown): PolicyConfig {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyConfigError(issue.path.join('.') || '(root)', issue.message);
  }
  const raw = parsed.data;
  const members = unique(raw.members, 'members');
  const policies = unique(raw.policies, 'policies');
  unique(raw.rules, 'rules');
  raw.policies.forEach((p, i) =>
    p.members.forEach((m, j) => {
      if (!members.has(m))
        throw new PolicyConfigError(`policies.${i}.members.${j}`, `unknown member '${m}'`);
    }),
  );
  const rules = raw.rules.map((r, i): Rule => {
    if (!policies.has(r.policy))
      throw new PolicyConfigError(`rules.${i}.policy`, `unknown policy '${r.policy}'`);
    if (r.destPort !== undefined && r.proto !== 'tcp' && r.proto !== 'udp') {
      throw new PolicyConfigError(
        `rules.${i}.destPort`,
        `needs proto tcp or udp, not '${r.proto}'`,
      );
    }
    try {
      return {
        ...r,
        srcIp: r.srcIp === undefined ? undefined : parseIpv4Prefix(r.srcIp, `rules.${i}.srcIp`),
        destIp: r.destIp === undefined ? undefined : parseIpv4Prefix(r.destIp, `rules.${i}.destIp`),
      };
    } catch (e) {
      throw new PolicyConfigError(`rules.${i}`, (e as Error).message);
    }
  });
  return { members, policies, rules };
}

/**
 * Every problem of a policy config under `prefix` (empty when valid): all shape errors at once;
 * names and references once the shape is right.
 */
export function policyConfigIssues(
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return layeredIssues(schema, parsePolicyConfig, PolicyConfigError, input, prefix);
}
