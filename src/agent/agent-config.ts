/**
 * The agent's own config file (YAML): the node's WANs with their trackers, LAN zones, and the
 * mwan3-like policy. Every problem is an AgentConfigError naming the file, the field path and,
 * for YAML syntax errors, the line.
 *
 * @example
 * const cfg = parseAgentConfig(readFileSync('agent.yaml', 'utf8'), 'agent.yaml');
 * cfg.wans[0]!.tracker.intervalMs; // 50
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { IntelliMeshError } from '../core/errors.ts';
import { parseTrackerOptions, type TrackerOptions } from './health/tracker-options.ts';
import { parsePolicyConfig, type PolicyConfig } from './policy/policy-config.ts';

export class AgentConfigError extends IntelliMeshError {
  constructor(
    readonly source: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${source}: ${path}: ${detail}`);
  }
}

const schema = z
  .object({
    node: z.string().min(1).max(64),
    lanDevices: z.array(z.string().min(1)).min(1),
    zones: z.record(z.string(), z.array(z.string().min(1))).default({}),
    holdDownMs: z.number().int().nonnegative().default(30_000),
    gwSelClass: z
      .union([z.enum(['fast', 'stable', 'fast-switch']), z.number().int().min(4).max(255)])
      .default(20),
    icmpStreamIntervalMs: z.number().int().min(2).optional(),
    wans: z
      .array(
        z
          .object({
            name: z.string(),
            device: z.string(),
            gateway: z.string(),
            sourceAddress: z.string().optional(),
            masquerade: z.boolean().default(true),
            bandwidthDownKbit: z.number().int().nonnegative().default(0),
            bandwidthUpKbit: z.number().int().nonnegative().default(0),
            track: z.unknown(),
          })
          .strict(),
      )
      .min(1),
    policy: z.unknown(),
  })
  .strict();

type Raw = z.output<typeof schema>;

export interface AgentConfig extends Omit<Raw, 'wans' | 'policy'> {
  wans: (Omit<Raw['wans'][number], 'track'> & { tracker: TrackerOptions })[];
  policy: PolicyConfig;
}

function nested<T>(source: string, prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    const inner = e as Error & { path?: string };
    if (inner instanceof IntelliMeshError) {
      throw new AgentConfigError(
        source,
        inner.path ? `${prefix}.${inner.path}` : prefix,
        inner.message,
      );
    }
    throw e;
  }
}

export function parseAgentConfig(text: string, source: string): AgentConfig {
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new AgentConfigError(
      source,
      line === undefined ? '(document)' : `line ${line}`,
      yamlError.message.split('\n')[0]!.replace(/:$/, ''),
    );
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AgentConfigError(source, issue.path.join('.') || '(document)', issue.message);
  }
  const raw = parsed.data;
  const wans = raw.wans.map(({ track, ...w }, i) => ({
    ...w,
    tracker: nested(source, `wans.${i}.track`, () => parseTrackerOptions(track)),
  }));
  const policy = nested(source, 'policy', () => parsePolicyConfig(raw.policy));
  const names = new Set(wans.map((w) => w.name));
  for (const m of policy.members.values()) {
    if (!names.has(m.wan))
      throw new AgentConfigError(
        source,
        `policy.members.${m.name}.wan`,
        `no WAN named '${m.wan}' in wans`,
      );
  }
  for (const [i, r] of policy.rules.entries()) {
    if (r.srcZone !== undefined && !raw.zones[r.srcZone]) {
      throw new AgentConfigError(
        source,
        `policy.rules.${i}.srcZone`,
        `zone '${r.srcZone}' is not in zones`,
      );
    }
  }
  return { ...raw, wans, policy };
}
