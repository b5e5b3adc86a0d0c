/**
 * The scenario file format (YAML), as a zod schema: topology, link defaults, routing options,
 * WAN uplinks, traffic flows, scheduled faults, random chaos, duration and seed.
 * Field names are snake_case as written in the files under `scenarios/`.
 *
 * @example
 * const s = scenarioSchema.parse({ duration_s: 60, topology: { kind: 'line', nodes: 5 } });
 * s.seed; // 1
 */
import { z } from 'zod';
import { accessPointsSchema, clientSchema, stationsFieldSchema } from './client-schema.ts';

const prob = z.number().min(0).max(1);
const seconds = z.number().min(0);

export const burstSchema = z.strictObject({
  p_good_bad: prob,
  p_bad_good: prob,
  loss_bad: prob,
});

const linkFields = {
  latency_ms: z.number().min(0),
  bandwidth_kbps: z.number().min(0),
  loss: prob,
  burst: burstSchema,
};

export const linkSchema = z.strictObject({
  latency_ms: linkFields.latency_ms.default(2),
  bandwidth_kbps: linkFields.bandwidth_kbps.default(0),
  loss: prob.default(0),
  burst: burstSchema.optional(),
});

const linkOverride = z.strictObject(linkFields).partial();

const topologySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('line'), nodes: z.int().min(2).max(4096) }),
  z.strictObject({
    kind: z.literal('grid'),
    rows: z.int().min(1).max(256),
    cols: z.int().min(1).max(256),
  }),
  z.strictObject({
    kind: z.literal('random-geometric'),
    nodes: z.int().min(2).max(4096),
    width: z.number().positive(),
    height: z.number().positive(),
    range: z.number().positive(),
  }),
  z.strictObject({
    kind: z.literal('explicit'),
    nodes: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
          x: z.number().optional(),
          y: z.number().optional(),
        }),
      )
      .min(2),
    links: z.array(
      linkOverride.extend({
        a: z.string(),
        b: z.string(),
        /** Parameters of the b -> a direction, for asymmetric links. */
        back: linkOverride.optional(),
      }),
    ),
  }),
]);

const nodeTarget = { at_s: seconds, target: z.string() };

export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('node-crash'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('node-boot'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('node-reboot'), ...nodeTarget, down_s: seconds.default(0) }),
  z.strictObject({ kind: z.literal('link-cut'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('link-heal'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('link-degrade'), ...nodeTarget, ...linkOverride.shape }),
  z.strictObject({ kind: z.literal('wan-down'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('wan-up'), ...nodeTarget }),
  z.strictObject({ kind: z.literal('wan-blackhole'), ...nodeTarget }),
  z.strictObject({
    kind: z.literal('wan-degrade'),
    ...nodeTarget,
    latency_ms: z.number().min(0).optional(),
    loss: prob.optional(),
    bandwidth_kbps: z.number().min(0).optional(),
  }),
]);

export const chaosKinds = ['node-crash', 'link-cut', 'wan-down', 'wan-blackhole'] as const;

export const scenarioSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  seed: z.int().min(0).max(0xffffffff).default(1),
  duration_s: z
    .number()
    .positive()
    .max(7 * 24 * 3600),
  topology: topologySchema,
  link: linkSchema.default({ latency_ms: 2, bandwidth_kbps: 0, loss: 0 }),
  routing: z
    .strictObject({
      originator_interval_ms: z.int().min(10),
      jitter_ms: z.int().min(0),
      hop_penalty: z.int().min(0).max(255),
      router_miss_limit: z.int().min(0).max(32),
      clear_stale_tq: z.boolean(),
      scale_young_windows: z.boolean(),
      fast_start_ogms: z.int().min(0).max(64),
      fast_start_interval_ms: z.int().min(10),
      hold_early_ogms: z.boolean(),
      originator_silence_ms: z.int().min(0),
      recheck_forwards: z.boolean(),
      neighbour_loss_factor: z.int().min(0).max(1000),
      aggregation_ms: z.int().min(0),
      purge_timeout_ms: z.int().min(1),
      gw_sel_class: z.int().min(1).max(255),
      /** batman-adv's translation table: clients announced with OGMs (issue 13). */
      translation_table: z.boolean(),
      /** The new AP tells the old one a client roamed, so in-flight frames are forwarded. */
      roaming_advertisement: z.boolean(),
    })
    .partial()
    .default({}),
  wans: z
    .array(
      z.strictObject({
        node: z.string(),
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+$/)
          .default('wan0'),
        latency_ms: z.number().min(0).default(20),
        loss: prob.default(0),
        bandwidth_kbps: z.number().min(0).default(0),
        gateway: z.strictObject({ down_kbit: z.int().min(0), up_kbit: z.int().min(0) }).optional(),
      }),
    )
    .default([]),
  traffic: z
    .strictObject({
      flows: z
        .array(
          z.strictObject({
            from: z.string(),
            to: z.string(),
            rate_pps: z.number().positive().max(10_000),
            size_bytes: z.int().min(12).max(1400).default(64),
            start_s: seconds.default(0),
            stop_s: seconds.optional(),
            /** Carry the packets as the simulator's plain data frames or as meshlink messages. */
            via: z.enum(['data', 'meshlink']).default('data'),
          }),
        )
        .default([]),
      random_flows: z
        .strictObject({
          count: z.int().min(1).max(100_000),
          rate_pps: z.number().positive().max(10_000),
          size_bytes: z.int().min(12).max(1400).default(64),
          start_s: seconds.default(0),
          stop_s: seconds.optional(),
          via: z.enum(['data', 'meshlink']).default('data'),
        })
        .optional(),
    })
    .default({ flows: [] }),
  faults: z.array(faultSchema).default([]),
  /** Stations that associate with the mesh nodes as APs (see client-schema.ts). */
  clients: z.array(clientSchema).default([]),
  access_points: accessPointsSchema.optional(),
  stations: stationsFieldSchema.default({
    metres_per_unit: 30,
    step_ms: 100,
    path_loss: {},
    roaming: {},
  }),
  chaos: z
    .strictObject({
      start_s: seconds,
      stop_s: seconds,
      mean_interval_s: z.number().positive(),
      kinds: z
        .array(z.enum(chaosKinds))
        .min(1)
        .default([...chaosKinds]),
      heal_after_s: z.number().positive().default(10),
    })
    .optional(),
  check_interval_ms: z.int().min(10).max(10_000).default(100),
  trace: z
    .strictObject({
      control_frames: z.boolean().default(false),
      /** Route changes can dominate big lossy runs; they are still counted in the summary. */
      route_changes: z.boolean().default(true),
    })
    .default({ control_frames: false, route_changes: true }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type FaultSpec = z.infer<typeof faultSchema>;
export type LinkSpec = z.infer<typeof linkSchema>;
