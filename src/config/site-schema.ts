/**
 * The site file's shape as one zod definition: the TypeScript types, the parser with defaults
 * and the JSON Schema for editors all come from here. Cross-field rules (uniqueness, overlaps,
 * references) live in `validate-site.ts`.
 *
 * @example
 * const r = siteSchema.safeParse(yaml.parse(text));
 * if (r.success) console.log(r.data.nodes.length);
 */
import { z } from 'zod';

/** UCI section names, Linux interface names and mwan3 chain names: short, [a-z0-9_]. */
const ident = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,14}$/, 'must be 1-15 characters of a-z, 0-9, _ starting with a letter');
/** fw4 zone names are limited to 11 characters, and each VLAN becomes a zone. */
const zoneIdent = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,10}$/, 'must be 1-11 characters of a-z, 0-9, _ starting with a letter');
const nodeId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 characters of a-z, 0-9, - (a hostname)');
const band = z.enum(['2g', '5g']);
const duration = z.string().regex(/^\d+[smhd]?$/, "must be a lease time like '12h' or '3600'");
/** batman-adv's gw_bandwidth syntax: down[/up] with an optional kbit/mbit unit. */
const gwBandwidth = z
  .string()
  .regex(/^\d+(kbit|mbit)?(\/\d+(kbit|mbit)?)?$/i, "must look like '100mbit/20mbit'");

const radioSchema = z.strictObject({
  channel: z.union([z.int().min(1).max(196), z.literal('auto')]),
  htmode: z.enum(['HE20', 'HE40', 'HE80', 'HE160', 'HT20', 'HT40', 'VHT20', 'VHT40', 'VHT80']),
});

const meshSchema = z.strictObject({
  id: z.string().min(1).max(32).describe('802.11s mesh id shared by every node'),
  key: z.string().describe('SAE passphrase of the mesh; may be ${env:NAME}'),
  band: band.default('5g'),
});

const batmanSchema = z.strictObject({
  algorithm: z.enum(['BATMAN_IV', 'BATMAN_V']).default('BATMAN_IV'),
  originatorIntervalMs: z.int().min(100).max(60_000).default(1000),
  hopPenalty: z.int().min(0).max(255).default(30),
  /** gw_sel_class for client nodes: 1-255 (BATMAN_IV) or a throughput in kbit/s (BATMAN_V). */
  gatewaySelectionClass: z.int().min(1).max(1_000_000).default(20),
  gatewayBandwidth: gwBandwidth.default('100mbit/20mbit'),
});

const dhcpSchema = z.strictObject({
  enabled: z.boolean().default(true),
  start: z.int().min(1).default(100),
  limit: z.int().min(1).default(100),
  leaseTime: duration.default('12h'),
});

const vlanSchema = z.strictObject({
  name: zoneIdent,
  id: z.int().min(1, 'VLAN id must be 1-4094').max(4094, 'VLAN id must be 1-4094'),
  subnet: z
    .string()
    .describe('IPv4 CIDR, e.g. 10.10.0.0/16; each node takes host number `address`'),
  dhcp: dhcpSchema.default({ enabled: true, start: 100, limit: 100, leaseTime: '12h' }),
  isolation: z.boolean().default(false).describe('clients cannot reach each other'),
  internet: z.boolean().default(true).describe('forwarded to the WAN zone on gateways'),
  trusted: z.boolean().default(false).describe('may reach the router itself (SSH, LuCI)'),
  forwardTo: z.array(zoneIdent).default([]).describe('other VLANs this one may reach'),
  ports: z
    .array(z.string().regex(/^[a-z0-9]+(:t)?$/, "must be a port, 'lan1', or tagged, 'lan4:t'"))
    .default([])
    .describe('switch ports: untagged (lan1) or tagged (lan4:t)'),
});

const roamingSchema = z.strictObject({
  mobilityDomain: z
    .string({ error: "must be 4 hex digits in quotes, e.g. 'a1b2'" })
    .describe('4 hex digits shared by every AP of this SSID'),
  ftOverDs: z.boolean().default(false),
  ftPskGenerateLocal: z
    .boolean()
    .default(true)
    .describe('WPA2-PSK only; SAE SSIDs always use keys derived from the passphrase'),
  reassociationDeadline: z.int().min(1000).max(65535).default(1000),
});

const ssidSchema = z.strictObject({
  name: ident,
  ssid: z.string().min(1),
  vlan: zoneIdent,
  bands: z.array(band).min(1).default(['2g', '5g']),
  encryption: z.enum(['wpa2-psk', 'wpa3-sae', 'wpa2-wpa3']),
  key: z.string().describe('passphrase, 8-63 characters; may be ${env:NAME}'),
  hidden: z.boolean().default(false),
  roaming: roamingSchema.optional().describe('802.11r fast roaming'),
});

const trackSchema = z.strictObject({
  targets: z.array(z.string()).min(1),
  reliability: z.int().min(1),
  count: z.int().min(1).max(20),
  timeout: z.int().min(1).max(60),
  interval: z.int().min(1).max(3600),
  failureInterval: z.int().min(1).max(3600),
  recoveryInterval: z.int().min(1).max(3600),
  down: z.int().min(1).max(100),
  up: z.int().min(1).max(100),
});
const defaultTrack: z.infer<typeof trackSchema> = {
  targets: ['1.1.1.1', '8.8.8.8', '9.9.9.9'],
  reliability: 2,
  count: 1,
  timeout: 2,
  interval: 5,
  failureInterval: 5,
  recoveryInterval: 5,
  down: 3,
  up: 3,
};

const ethernetWanSchema = z.strictObject({
  name: ident,
  type: z.literal('ethernet'),
  port: z.string(),
  proto: z.enum(['dhcp', 'static']).default('dhcp'),
  address: z.string().optional().describe('static only: CIDR, e.g. 203.0.113.10/29'),
  gateway: z.string().optional(),
  dns: z.array(z.string()).default([]),
  track: trackSchema.partial().optional(),
});

const modemWanSchema = z.strictObject({
  name: ident,
  type: z.literal('modem'),
  device: z
    .string()
    .min(1)
    .default('/sys/devices/platform/soc/11200000.usb/usb1/1-1')
    .describe('sysfs path of the modem, as ModemManager sees it'),
  apn: z.string().min(1),
  pin: z
    .string({ error: "must be 4-8 digits in quotes, e.g. '1234'" })
    .regex(/^\d{4,8}$/, 'must be 4-8 digits')
    .optional(),
  auth: z.enum(['none', 'pap', 'chap', 'both']).default('none'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  iptype: z.enum(['ipv4', 'ipv6', 'ipv4v6']).default('ipv4'),
  modes: z
    .array(z.enum(['2g', '3g', '4g', '5g']))
    .min(1)
    .optional()
    .describe('allowed radio access technologies; default: any'),
  preferredMode: z
    .enum(['2g', '3g', '4g', '5g'])
    .optional()
    .describe('preferred one among several allowed modes'),
  track: trackSchema.partial().optional(),
});

const wanSchema = z.discriminatedUnion('type', [ethernetWanSchema, modemWanSchema]);

const memberSchema = z.strictObject({
  name: ident,
  wan: ident,
  metric: z.int().min(1).max(256).default(1),
  weight: z.int().min(1).max(1000).default(1),
});
const policySchema = z.strictObject({
  name: ident,
  members: z.array(ident).min(1),
  lastResort: z.enum(['unreachable', 'blackhole', 'default']).default('unreachable'),
});
/** A port, range or list as mwan3 takes it; a bare number in YAML is accepted too. */
const portSpec = z.union([z.string(), z.int().min(1).max(65535).transform(String)]);
const ruleSchema = z.strictObject({
  name: ident,
  policy: ident,
  srcIp: z.string().optional(),
  destIp: z.string().optional(),
  proto: z.enum(['all', 'tcp', 'udp', 'icmp']).default('all'),
  srcPort: portSpec.optional(),
  destPort: portSpec.optional(),
  sticky: z.boolean().default(false),
  timeout: z.int().min(1).optional(),
});

const multiwanSchema = z.strictObject({
  track: trackSchema.partial().default({}),
  members: z.array(memberSchema).default([]),
  policies: z.array(policySchema).default([]),
  rules: z.array(ruleSchema).default([]),
});

const agentSchema = z.strictObject({
  broker: z.string().default('mqtt://10.99.0.1:1883'),
  topicPrefix: z.string().min(1).default('intelli-mesh'),
  reportIntervalS: z.int().min(1).max(3600).default(10),
  probeIntervalS: z.int().min(1).max(3600).default(5),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

const nodeSchema = z.strictObject({
  id: nodeId,
  model: z.enum(['bpi-r3']).default('bpi-r3'),
  role: z.enum(['gateway', 'mesh']),
  address: z.int().min(1).max(65534).describe('host number of the node in every VLAN subnet'),
  location: z
    .object({
      description: z.string().optional(),
      lat: z.number().min(-90).max(90).optional(),
      lon: z.number().min(-180).max(180).optional(),
    })
    .optional(),
  meshRadios: z.array(band).min(1).default(['5g']),
  ports: z.array(z.string()).optional().describe('LAN ports in use; default: all but WAN ports'),
  ssids: z.array(ident).optional().describe('SSIDs served; default: all'),
  gatewayBandwidth: gwBandwidth.optional(),
  wans: z.array(wanSchema).default([]),
  agent: agentSchema.partial().optional(),
});

export const siteSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a lowercase DNS label'),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code like KE'),
    timezone: z
      .string()
      .regex(/^[A-Za-z<>+0-9,.:/-]+$/, "must be a POSIX TZ string like 'EAT-3'")
      .default('UTC')
      .describe('POSIX TZ string, as /etc/config/system takes it'),
    openwrt: z.strictObject({ release: z.string().regex(/^\d+\.\d+\.\d+$/) }).default({
      release: '23.05.5',
    }),
    mesh: meshSchema,
    batman: batmanSchema.default({
      algorithm: 'BATMAN_IV',
      originatorIntervalMs: 1000,
      hopPenalty: 30,
      gatewaySelectionClass: 20,
      gatewayBandwidth: '100mbit/20mbit',
    }),
    radios: z
      .object({ '2g': radioSchema, '5g': radioSchema })
      .default({ '2g': { channel: 1, htmode: 'HE20' }, '5g': { channel: 36, htmode: 'HE80' } }),
    vlans: z.array(vlanSchema).min(1),
    ssids: z.array(ssidSchema).default([]),
    multiwan: multiwanSchema.default({ track: {}, members: [], policies: [], rules: [] }),
    agent: agentSchema.default({
      broker: 'mqtt://10.99.0.1:1883',
      topicPrefix: 'intelli-mesh',
      reportIntervalS: 10,
      probeIntervalS: 5,
      logLevel: 'info',
    }),
    nodes: z.array(nodeSchema).min(1),
  })
  .strict();

export type Site = z.infer<typeof siteSchema>;
export type SiteInput = z.input<typeof siteSchema>;
export type Vlan = Site['vlans'][number];
export type Ssid = Site['ssids'][number];
export type SiteNode = Site['nodes'][number];
export type Wan = SiteNode['wans'][number];
export type Track = z.infer<typeof trackSchema>;
export type AgentSettings = z.infer<typeof agentSchema>;
export type Band = z.infer<typeof band>;
export { defaultTrack };

/** The track settings of a WAN: its own, over the site's, over mwan3-like defaults. */
export function trackOf(site: Site, wan: Wan): Track {
  return { ...defaultTrack, ...stripUndefined(site.multiwan.track), ...stripUndefined(wan.track) };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  if (!o) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The agent settings of a node: its own over the site's. */
export function agentOf(site: Site, node: SiteNode): AgentSettings {
  return { ...site.agent, ...stripUndefined(node.agent) };
}
