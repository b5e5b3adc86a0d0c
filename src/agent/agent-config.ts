/**
 * The agent's own config file (YAML): the node's WANs with their trackers, LAN zones, the
 * mwan3-like policy, the platform it acts through, and how it reaches its MQTT broker. Every
 * problem is an AgentConfigError naming the file, the field path and, for YAML syntax errors, the
 * line. `validateAgentConfig` checks the same thing from an object (a configuration pushed by the
 * controller) and keeps the document as given, so it can be reported, pushed and written back.
 *
 * @example
 * const cfg = parseAgentConfigJson(readFileSync('agent.json', 'utf8'), 'agent.json');
 * cfg.wans[0]!.tracker.intervalMs; // 50
 * cfg.mqtt?.url; // 'mqtts://broker.example:8883'
 */
import { z } from 'zod';
import { IntelliMeshError } from '../core/errors.ts';
import {
  safeParseKnowingKeys,
  zodValidationIssues,
  type ValidationIssue,
} from '../core/validation-issues.ts';
import { formatPath } from '../core/validation-path.ts';
import {
  parseTrackerOptions,
  trackerOptionsIssues,
  type TrackerOptions,
} from './health/tracker-options.ts';
import {
  parsePolicyConfig,
  policyConfigIssues,
  type PolicyConfig,
} from './policy/policy-config.ts';

export class AgentConfigError extends IntelliMeshError {
  /** Every problem found, the first of which is `path` and `detail`. */
  readonly issues: readonly ValidationIssue[];

  constructor(
    readonly source: string,
    readonly path: string,
    readonly detail: string,
    issues?: readonly ValidationIssue[],
  ) {
    const all = issues ?? [{ path, message: detail }];
    super(
      all.length === 1
        ? `${source}: ${path}: ${detail}`
        : `${source}: ${all.length} errors:\n${all.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
    this.issues = all;
  }

  static of(source: string, issues: readonly ValidationIssue[]): AgentConfigError {
    return new AgentConfigError(source, issues[0]!.path, issues[0]!.message, issues);
  }
}

const mqttSchema = z
  .object({
    url: z
      .string()
      .regex(
        /^(mqtts?|wss?):\/\/[^/\s]+/,
        'expected mqtt://, mqtts://, ws:// or wss://HOST[:PORT]',
      ),
    site: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^/+#]+$/, 'no /, + or # in a topic level'),
    /** @default the node name (a node's MQTT user is its name: the broker ACL relies on it) */
    username: z.string().min(1).max(64).optional(),
    password: z.string().min(1).optional(),
    /** A file holding the password (trailing newline ignored); relative to the config file. */
    passwordFile: z.string().min(1).optional(),
    tls: z
      .object({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .strict()
      .optional(),
    metricsIntervalMs: z.number().int().min(1000).default(10_000),
    stateIntervalMs: z.number().int().min(1000).default(30_000),
    /** Rollback deadline of a pushed configuration when the command gives none. */
    confirmTimeoutS: z.number().positive().max(3600).default(60),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.password !== undefined && m.passwordFile !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['passwordFile'],
        message: 'give password or passwordFile, not both',
      });
    if (m.tls && !/^(mqtts|wss):/.test(m.url))
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: 'TLS options need an mqtts:// or wss:// url',
      });
    if (m.tls && (m.tls.cert === undefined) !== (m.tls.key === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: 'a client certificate needs both cert and key',
      });
  });

export type AgentMqttConfig = z.output<typeof mqttSchema>;

const schema = z
  .object({
    node: z.string().min(1).max(64),
    /** The configuration's version as the controller names it; absent in a hand-written file. */
    version: z.string().min(1).max(128).optional(),
    /** What the agent acts through: plain Linux, or OpenWrt (batctl, ubus on top of Linux). */
    platform: z.enum(['linux', 'openwrt']).default('linux'),
    /** What the node is in the mesh, as its reports say. */
    role: z.enum(['gateway', 'mesh']).default('gateway'),
    /** The node's host number in the site (its address in every VLAN subnet). */
    address: z.number().int().min(0).max(0xffff).optional(),
    /** The agent's log level on stderr (`LOG_LEVEL` in the environment wins). */
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    /**
     * Restart a WAN's interface (netifd on OpenWrt, a link flap on Linux) after this many failed
     * probe cycles in a row, then again with doubling backoff; omitted means never.
     */
    restartAfterFailedCycles: z.number().int().min(1).max(1000).optional(),
    restartBackoffMs: z.number().int().min(1000).default(60_000),
    /** OpenWrt: keep `/etc/config/mwan3` in step with the running policy (through `uci`). */
    syncMwan3: z.boolean().default(true),
    /** OpenWrt: the batman-adv mesh interface whose gateway table (`batctl gwj`) is read. */
    meshIf: z.string().min(1).default('bat0'),
    /** OpenWrt: how often the mesh's gateway table is read. */
    gatewayPollMs: z.number().int().min(100).default(5_000),
    lanDevices: z.array(z.string().min(1)).min(1),
    zones: z.record(z.string(), z.array(z.string().min(1))).default({}),
    holdDownMs: z.number().int().nonnegative().default(30_000),
    gwSelClass: z
      .union([
        z.enum(['fast', 'stable', 'fast-switch']),
        // Classes 1..3 have the names; above 255 is B.A.T.M.A.N. V's throughput threshold.
        z.number().int().min(4).max(1_000_000),
      ])
      .default(20),
    icmpStreamIntervalMs: z.number().int().min(2).optional(),
    wans: z
      .array(
        z
          .object({
            name: z.string(),
            device: z.string(),
            /** The next hop upstream; on OpenWrt netifd reports it, so it may be left out. */
            gateway: z.string().optional(),
            sourceAddress: z.string().optional(),
            kind: z.enum(['ethernet', 'modem']).default('ethernet'),
            /** OpenWrt: the netifd interface behind this WAN. @default its name */
            netifd: z.string().min(1).optional(),
            masquerade: z.boolean().default(true),
            bandwidthDownKbit: z.number().int().nonnegative().default(0),
            bandwidthUpKbit: z.number().int().nonnegative().default(0),
            track: z.unknown(),
          })
          .strict(),
      )
      // A mesh-only node has none: it reports, and its clients use a neighbour's WAN.
      .default([]),
    policy: z.unknown().default({ members: [], policies: [], rules: [] }),
    mqtt: mqttSchema.optional(),
  })
  .strict();

type Raw = z.output<typeof schema>;

export interface AgentConfig extends Omit<Raw, 'wans' | 'policy'> {
  wans: (Omit<Raw['wans'][number], 'track'> & { tracker: TrackerOptions })[];
  policy: PolicyConfig;
  /** The document as given (before defaults): what is reported, pushed and written back. */
  document: Record<string, unknown>;
}

/**
 * A config file in JSON (what `config render` and the OpenWrt package install), with the line of
 * a syntax error. YAML files go through `parseAgentConfig` (agent-config-yaml.ts), kept apart so
 * a router running from JSON never loads a YAML parser.
 */
export function parseAgentConfigJson(text: string, source: string): AgentConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new AgentConfigError(
      source,
      line === undefined ? '(document)' : `line ${line}`,
      message.replace(/ in JSON at position \d+.*$/, ''),
    );
  }
  return validateAgentConfig(doc, source);
}

const EMPTY_POLICY = { members: [], policies: [], rules: [] };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of an agent config given as an object, each with its path (`wans[0].track.down`):
 * the shape, every WAN's tracker and the policy are all checked in one pass, then the references
 * between them. Empty when the config is valid.
 */
export function agentConfigIssues(input: unknown): ValidationIssue[] {
  if (!isRecord(input))
    return [{ path: '(root)', message: 'expected a mapping of agent settings' }];
  const { result, known } = safeParseKnowingKeys(schema, input);
  const issues = result.success ? [] : zodValidationIssues(result.error, input, known);
  const wans = Array.isArray(input.wans) ? (input.wans as unknown[]) : [];
  wans.forEach((w, i) => {
    if (isRecord(w)) issues.push(...trackerOptionsIssues(w.track, ['wans', i, 'track']));
  });
  const policyIssues = policyConfigIssues(input.policy ?? EMPTY_POLICY, ['policy']);
  issues.push(...policyIssues);
  if (!result.success || issues.length > 0) return issues;
  const raw = result.data;
  if (raw.platform === 'linux') {
    raw.wans.forEach((w, i) => {
      if (w.gateway === undefined)
        issues.push({
          path: formatPath(['wans', i, 'gateway']),
          message: 'required on Linux (on OpenWrt netifd reports it)',
        });
    });
  }
  const names = new Set(raw.wans.map((w) => w.name));
  const policy = parsePolicyConfig(raw.policy);
  [...policy.members.values()].forEach((m, i) => {
    if (!names.has(m.wan))
      issues.push({
        path: formatPath(['policy', 'members', i, 'wan']),
        message: `no WAN named '${m.wan}' in wans`,
      });
  });
  policy.rules.forEach((r, i) => {
    if (r.srcZone !== undefined && !raw.zones[r.srcZone])
      issues.push({
        path: formatPath(['policy', 'rules', i, 'srcZone']),
        message: `zone '${r.srcZone}' is not in zones`,
      });
  });
  return issues;
}

/** Checks an agent config given as an object (parsed YAML, or pushed JSON); all issues at once. */
export function validateAgentConfig(input: unknown, source: string): AgentConfig {
  const issues = agentConfigIssues(input);
  if (issues.length > 0) throw AgentConfigError.of(source, issues);
  const document = structuredClone(input) as Record<string, unknown>;
  const raw = schema.parse(document);
  const wans = raw.wans.map(({ track, ...w }) => ({ ...w, tracker: parseTrackerOptions(track) }));
  return { ...raw, wans, policy: parsePolicyConfig(raw.policy), document };
}
