/**
 * The scenario keys for stations (zod, snake_case like the rest of the scenario file):
 * `clients:` (who, which SSID, how they authenticate, how they move), `access_points:` (which
 * mesh nodes serve which SSIDs; every node serves every SSID when absent) and `stations:` (the
 * air between them: scale, path loss, roaming thresholds). Positions are in topology units
 * (a grid's spacing is 1), turned into metres with `stations.metres_per_unit`.
 *
 * @example
 * clients:
 *   - { name: walker, mac: 02:00:00:00:00:01, ssid: mesh, auth: psk, ft: over-air,
 *       movement: { kind: path, waypoints: [[0, 0], [4, 0]], speed_mps: 1.4 } }
 */
import { z } from 'zod';

const point = z.tuple([z.number(), z.number()]);
const seconds = z.number().min(0);

export const movementSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('static'), at: point }),
  z.strictObject({
    kind: z.literal('path'),
    waypoints: z.array(point).min(1),
    speed_mps: z.number().positive().max(100),
    loop: z.boolean().default(false),
    start_s: seconds.default(0),
  }),
  z.strictObject({
    kind: z.literal('random-waypoint'),
    /** [[min x, min y], [max x, max y]]; the topology's bounding box when absent. */
    bounds: z.tuple([point, point]).optional(),
    speed_mps: z.union([
      z.number().positive().max(100),
      z.strictObject({ min: z.number().positive(), max: z.number().positive().max(100) }),
    ]),
    pause_s: seconds.default(0),
    start: point.optional(),
  }),
]);

export const clientSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .optional(),
  mac: z
    .string()
    .regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/, 'a MAC address like 02:00:00:00:00:01')
    .transform((m) => m.toLowerCase()),
  ssid: z.string().min(1).max(32),
  vlan: z.int().min(0).max(4094).default(0),
  auth: z.enum(['open', 'psk', 'sae', '8021x']).default('psk'),
  ft: z
    .union([z.literal(false), z.enum(['none', 'over-air', 'over-ds'])])
    .default('none')
    .transform((f) => (f === 'none' ? false : f)),
  movement: movementSchema,
  /** Switched on at this time (the station appears and starts searching). */
  start_s: seconds.default(0),
});

export const accessPointsSchema = z.array(
  z.strictObject({ node: z.string(), ssids: z.array(z.string().min(1).max(32)).min(1) }),
);

export const stationsFieldSchema = z.strictObject({
  metres_per_unit: z.number().positive().default(30),
  step_ms: z.int().min(10).max(10_000).default(100),
  path_loss: z
    .strictObject({
      tx_power_dbm: z.number(),
      ref_loss_db: z.number(),
      exponent: z.number().positive(),
      shadowing_db: z.number().min(0),
      decorrelation_m: z.number().positive(),
    })
    .partial()
    .default({}),
  roaming: z
    .strictObject({
      min_signal_dbm: z.number(),
      roam_threshold_dbm: z.number(),
      lost_signal_dbm: z.number(),
      margin_db: z.number().min(0),
      dwell_ms: z.int().min(0),
    })
    .partial()
    .default({}),
});

export type ClientSpec = z.infer<typeof clientSchema>;
export type MovementYaml = z.infer<typeof movementSchema>;
export type StationsFieldSpec = z.infer<typeof stationsFieldSchema>;

/** The prefix that makes a flow end at a client: `to: client:<mac or name>`. */
export const CLIENT_PREFIX = 'client:';

/** The client a flow's `to` names, by MAC or name; undefined when it names a node. */
export function flowClient(to: string, clients: readonly ClientSpec[]): ClientSpec | undefined {
  if (!to.startsWith(CLIENT_PREFIX)) return undefined;
  const key = to.slice(CLIENT_PREFIX.length);
  return clients.find((c) => c.name === key || c.mac === key.toLowerCase());
}

interface ClientScenario {
  clients: ClientSpec[];
  access_points?: Array<{ node: string; ssids: string[] }> | undefined;
  routing: { translation_table?: boolean | undefined };
  traffic: { flows: Array<{ from: string; to: string; via: string }> };
}

/** Cross-field checks of the client keys; each problem goes to `add(path, message)`. */
export function checkClients(
  s: ClientScenario,
  nodes: ReadonlySet<string>,
  add: (path: string, message: string) => void,
): void {
  const macs = new Map<string, number>();
  const names = new Map<string, number>();
  s.clients.forEach((c, i) => {
    const m = macs.get(c.mac);
    if (m !== undefined) add(`clients[${i}].mac`, `duplicate MAC ${c.mac} (also clients[${m}])`);
    macs.set(c.mac, i);
    if (c.name !== undefined) {
      const n = names.get(c.name);
      if (n !== undefined)
        add(`clients[${i}].name`, `duplicate name '${c.name}' (also clients[${n}])`);
      if (nodes.has(c.name)) add(`clients[${i}].name`, `'${c.name}' is also a node name`);
      names.set(c.name, i);
    }
    const mv = c.movement;
    if (
      mv.kind === 'random-waypoint' &&
      typeof mv.speed_mps === 'object' &&
      mv.speed_mps.max < mv.speed_mps.min
    )
      add(`clients[${i}].movement.speed_mps`, 'max must not be below min');
    if (s.access_points && !s.access_points.some((a) => a.ssids.includes(c.ssid)))
      add(`clients[${i}].ssid`, `no access point serves SSID '${c.ssid}'`);
  });
  const seen = new Set<string>();
  s.access_points?.forEach((a, i) => {
    if (!nodes.has(a.node)) add(`access_points[${i}].node`, `unknown node '${a.node}'`);
    if (seen.has(a.node)) add(`access_points[${i}].node`, `node '${a.node}' listed twice`);
    seen.add(a.node);
  });
  s.traffic.flows.forEach((f, i) => {
    if (!f.to.startsWith(CLIENT_PREFIX)) return;
    if (!flowClient(f.to, s.clients))
      add(`traffic.flows[${i}].to`, `unknown client '${f.to.slice(CLIENT_PREFIX.length)}'`);
    else if (f.via !== 'data')
      add(`traffic.flows[${i}].via`, 'flows to clients go as data frames (via: data)');
    else if (s.routing.translation_table === false)
      add(
        `traffic.flows[${i}].to`,
        'a flow to a client needs routing.translation_table (it is off)',
      );
  });
}
