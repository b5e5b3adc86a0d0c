/**
 * The JSON payloads on each channel of the topic tree, as zod schemas: the agent validates what
 * it publishes against them in tests, and the controller validates everything it receives, so a
 * malformed or hostile message is rejected with a precise path and never reaches the store.
 *
 * @example
 * const parsed = decodeMessage('events', '{"at":1,"node":"n1","kind":"wan-state",...}');
 * if (parsed.ok) console.log(parsed.value.reason);
 */
import { z } from 'zod';
import { zodIssueLines } from '../core/validation-path.ts';
import type { NodeChannel } from './topics.ts';

const name = z.string().min(1).max(64);
const finite = z.number().finite();
const nonNegative = finite.nonnegative();

export const statusSchema = z.object({
  node: name,
  online: z.boolean(),
  at: nonNegative,
  /**
   * Names this run of the node (a new one at every boot or agent start), in its online
   * announcement: a different one than last time tells the controller the node restarted.
   */
  boot_id: z.string().min(1).max(64).optional(),
});

export const wanReportSchema = z.object({
  name,
  kind: z.enum(['ethernet', 'modem', 'mesh']),
  state: z.enum(['up', 'degraded', 'down', 'unknown']),
  /**
   * The health tracker's status, as mwan3 names it: `connecting` (recovering, not yet trusted)
   * and `disconnecting` (failing checks) are both reported as `state: degraded`.
   */
  status: z.enum(['online', 'disconnecting', 'offline', 'connecting']).optional(),
  /** Whether the policy currently sends traffic over it. */
  active: z.boolean(),
  /** Share of new flows it carries, 0..1. */
  share: z.number().min(0).max(1).optional(),
  /** Mean round trip of the last probe cycle; null when nothing answered (a cut WAN). */
  latency_ms: nonNegative.nullable().optional(),
  /** Loss of the last probe cycle, 0..1 (1 when the WAN is cut). */
  loss: z.number().min(0).max(1).nullable().optional(),
  modem: z
    .object({
      state: z.string().max(32),
      rssi_dbm: finite.nullable().optional(),
      rsrp_dbm: finite.nullable().optional(),
      rsrq_db: finite.nullable().optional(),
      sinr_db: finite.nullable().optional(),
      operator: z.string().max(64).nullable().optional(),
    })
    .optional(),
});

export const neighbourReportSchema = z.object({
  node: name,
  tq: z.number().int().min(0).max(255),
  last_seen_ms: nonNegative,
  /**
   * Share of the neighbour's last few OGMs (about 8 s) this node missed, 0..1: the link's loss
   * towards this node now, where TQ averages the last 64. Absent when the node cannot tell
   * (batctl shows no such figure).
   */
  loss: z.number().min(0).max(1).optional(),
});

const macAddress = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'expected a MAC address like 02:00:00:00:00:01');

/** One station (Wi-Fi client) associated to this node's access points. */
export const stationReportSchema = z.object({
  mac: macAddress,
  /** At most 32 octets in 802.11; UTF-8 text here. */
  ssid: z.string().max(64),
  vlan: z.number().int().min(1).max(4094).optional(),
  /** The AP's interface (hostapd's BSS, e.g. wlan0). */
  iface: z.string().max(64).optional(),
  /** Null when the driver gives no signal for it. */
  signal_dbm: z.number().finite().min(-150).max(30).nullable(),
  /** When it (re)associated here, ISO 8601. */
  since: z.iso.datetime({ offset: true }),
  auth: z.enum(['open', 'psk', 'sae', '8021x']).optional(),
  ft: z.union([z.literal(false), z.enum(['over-air', 'over-ds'])]).optional(),
});

export const stateSchema = z.object({
  node: name,
  at: nonNegative,
  uptime_s: nonNegative,
  role: z.enum(['gateway', 'mesh', 'client']),
  address: z.number().int().min(0).max(0xffff).optional(),
  location: z.object({ x: finite, y: finite }).optional(),
  wans: z.array(wanReportSchema).max(16),
  gateway: z.object({
    announcing: z.boolean(),
    bandwidth_down_kbit: nonNegative,
    bandwidth_up_kbit: nonNegative,
    /** The neighbour gateway this node's internet traffic goes to, when no local WAN is used. */
    selected: name.nullable(),
  }),
  neighbours: z.array(neighbourReportSchema).max(256),
  routes: z
    .array(z.object({ destination: name, next_hop: name, tq: z.number().int().min(0).max(255) }))
    .max(4096)
    .optional(),
  vlans: z
    .array(z.object({ name, id: z.number().int().min(1).max(4094) }))
    .max(64)
    .optional(),
  clients: z.number().int().nonnegative().optional(),
  /** The stations associated to this node's APs; optional: older agents do not send them. */
  stations: z.array(stationReportSchema).max(2048).optional(),
  config_version: z.string().max(128).nullable().optional(),
  /**
   * The firmware the node runs, as its system names it (OpenWrt: `DISTRIB_DESCRIPTION` of
   * `/etc/openwrt_release`); an upgrade is done when this equals the upgrade's `version`.
   */
  firmware_version: z.string().max(128).nullable().optional(),
  /**
   * What the node is, for the inventory: its management IPv4/IPv6 address (the LAN bridge's), the
   * MAC of that interface, and the board model as the system names it (OpenWrt:
   * /tmp/sysinfo/model). Optional: older agents do not send them.
   */
  ip: z.string().max(64).optional(),
  mac: macAddress.optional(),
  model: z.string().max(128).optional(),
});

export const configReportSchema = z.object({
  node: name,
  at: nonNegative,
  version: z.string().min(1).max(128),
  config: z.record(z.string(), z.unknown()),
});

export const metricsSchema = z.object({
  node: name,
  at: nonNegative,
  wans: z.record(
    name,
    z.object({
      latency_ms: nonNegative.nullable(),
      loss: z.number().min(0).max(1).nullable(),
      rx_bytes: nonNegative.optional(),
      tx_bytes: nonNegative.optional(),
    }),
  ),
  cpu_percent: nonNegative.optional(),
  rss_bytes: nonNegative.optional(),
});

export const eventSchema = z.object({
  at: nonNegative,
  node: name,
  kind: z.string().min(1).max(64),
  subject: z.string().max(128),
  from: z.string().max(256).nullable(),
  to: z.string().max(256).nullable(),
  reason: z.string().max(1024),
  /** Client events (`client-associated`, `client-roamed`, `client-left`): the station. */
  mac: macAddress.optional(),
  ssid: z.string().max(64).optional(),
  /** How it (re)associated (open, psk, sae, 8021x, ft-over-air, ft-over-ds; newer agents may add). */
  method: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
    .optional(),
  /** A roam's handoff gap: last frame at the old AP to the first at the new one. */
  gap_ms: nonNegative.optional(),
});

/** Default and largest image a node downloads for an upgrade. */
export const UPGRADE_MAX_BYTES_DEFAULT = 64 * 1024 * 1024;
export const UPGRADE_MAX_BYTES_LIMIT = 512 * 1024 * 1024;

/**
 * Install a firmware image: download it (http/https, at most `max_bytes`), check its SHA-256,
 * test it (`sysupgrade -T`), install it keeping the configuration, reboot, and answer `done`
 * once the node runs `version`. Erasing the configuration is not offered: the agent's own
 * config and credentials would go with it, and the node could never report back.
 */
export const upgradeCommandSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.literal('upgrade'),
  image_url: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s/]+[^\s]*$/, 'expected an http:// or https:// URL'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  /** The firmware version the image runs, exactly as the node will report it. */
  version: z.string().min(1).max(128),
  /** @default UPGRADE_MAX_BYTES_DEFAULT */
  max_bytes: z.number().int().positive().max(UPGRADE_MAX_BYTES_LIMIT).optional(),
  /** Seconds the download may take. @default 600 */
  download_timeout_s: z.number().positive().max(3600).optional(),
  keep_config: z
    .literal(true, { error: 'keep_config must be true: the agent needs its configuration' })
    .optional(),
});

export const commandSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1).max(64),
    kind: z.literal('config.apply'),
    version: z.string().min(1).max(128),
    config: z.unknown(),
    /** Seconds the node waits for `config.confirm` before rolling back on its own. */
    confirm_timeout_s: z.number().positive().max(3600).optional(),
  }),
  z.object({
    id: z.string().min(1).max(64),
    kind: z.literal('config.confirm'),
    version: z.string().min(1).max(128),
  }),
  z.object({ id: z.string().min(1).max(64), kind: z.literal('ping') }),
  upgradeCommandSchema,
]);

export const commandResultSchema = z.object({
  id: z.string().min(1).max(64),
  node: name,
  at: nonNegative,
  status: z.enum([
    'accepted',
    'rejected',
    'applied',
    'confirmed',
    'rolled-back',
    'failed',
    'pong',
    // An upgrade's steps, in order, then `done` (or `failed`/`rejected` with a `code`).
    'downloading',
    'verified',
    'installing',
    'rebooting',
    'done',
  ]),
  version: z.string().max(128).nullable(),
  reason: z.string().max(4096),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** Why an upgrade failed or was refused, for programs (see `UpgradeFailureCode`). */
  code: z
    .string()
    .regex(/^[a-z][a-z-]{0,31}$/)
    .optional(),
});

/**
 * The failure codes agents send today: refused (`busy`, `unsupported`), or failed at a step
 * (`download`, `too-large`, `checksum`, `image-test`, `save`, `install`, `no-reboot`,
 * `version-mismatch`). The schema takes any short code, so a newer agent's is not refused.
 */
export type UpgradeFailureCode =
  | 'busy'
  | 'unsupported'
  | 'download'
  | 'too-large'
  | 'checksum'
  | 'image-test'
  | 'save'
  | 'install'
  | 'no-reboot'
  | 'version-mismatch';

export type NodeStatus = z.infer<typeof statusSchema>;
export type NodeState = z.infer<typeof stateSchema>;
export type WanReport = z.infer<typeof wanReportSchema>;
export type StationReport = z.infer<typeof stationReportSchema>;
export type NodeMetrics = z.infer<typeof metricsSchema>;
export type NodeConfigReport = z.infer<typeof configReportSchema>;
export type NodeEventMessage = z.infer<typeof eventSchema>;
export type Command = z.infer<typeof commandSchema>;
export type UpgradeCommand = z.infer<typeof upgradeCommandSchema>;
/** The commands a configuration transaction answers (everything but upgrades). */
export type ConfigCommand = Exclude<Command, UpgradeCommand>;
export type CommandResult = z.infer<typeof commandResultSchema>;

const schemas = {
  status: statusSchema,
  state: stateSchema,
  config: configReportSchema,
  metrics: metricsSchema,
  events: eventSchema,
  command: commandSchema,
  'command/result': commandResultSchema,
} as const satisfies Record<NodeChannel, z.ZodType>;

export type MessageOf<C extends NodeChannel> = z.infer<(typeof schemas)[C]>;

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/** Largest payload accepted on any channel; bigger ones are refused before parsing. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Parses and validates one payload; the error names the JSON path and the rule broken. */
export function decodeMessage<C extends NodeChannel>(
  channel: C,
  payload: Uint8Array | string,
): Decoded<MessageOf<C>> {
  return decodePayload(schemas[channel], payload) as Decoded<MessageOf<C>>;
}

/** One MQTT JSON payload checked against `schema`: size first, then JSON, then the schema. */
export function decodePayload<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
): Decoded<z.output<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, error: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(
      typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'),
    );
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: zodIssueLines(parsed.error).join('; ') };
}
