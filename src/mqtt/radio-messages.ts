/**
 * The JSON payloads of the radio topics (radio-topics.ts), as zod schemas: the gateway builds
 * them, the controller validates everything it receives against them (and against the topic it
 * came on), so a malformed or hostile report never reaches the store.
 *
 * @example
 * const r = decodeRadioMessage('node', payload);
 * if (r.ok) console.log(r.value.address, r.value.rtt_ms);
 */
import { z } from 'zod';
import { decodePayload, type Decoded } from './messages.ts';
import type { RadioChannel } from './radio-topics.ts';

const name = z.string().min(1).max(64);
const at = z.number().finite().nonnegative();
/** A meshlink node address (0 is the broadcast address, never a node). */
export const radioAddress = z.number().int().min(1).max(65535);
/** Bytes as lower- or upper-case hex, two digits a byte. */
export const hexBytes = z
  .string()
  .max(2 * 64 * 1024)
  .regex(/^(?:[0-9a-fA-F]{2})*$/, 'expected hex digits, two per byte');

const base = { gateway: name, network: name, at };

export const radioGatewayStatusSchema = z.object({
  ...base,
  online: z.boolean(),
  /** The gateway's own meshlink address. */
  address: radioAddress.optional(),
});

export const radioNodeReportSchema = z.object({
  ...base,
  address: radioAddress,
  /** When this gateway last heard the node itself (a pong, a message); null: only learned of. */
  last_heard: at.nullable(),
  /** Relays between the gateway and the node on the last reply. */
  hops: z.number().int().min(0).max(255).nullable(),
  rtt_ms: z.number().finite().nonnegative().nullable(),
  /** When `rtt_ms` was measured (the controller keeps a history of them). */
  rtt_at: at.nullable(),
  /** Share of the gateway's recent pings the node answered, 0..1; null before the first. */
  link_quality: z.number().min(0).max(1).nullable(),
  /** Nodes this one hears, from the gateway's last scan. */
  neighbours: z.array(radioAddress).max(1024),
});

export const radioGraphSchema = z.object({
  ...base,
  /** The scanning gateway's own address. */
  origin: radioAddress,
  depth: z.number().int().min(1).max(16),
  nodes: z.array(radioAddress).max(4096),
  edges: z.array(z.tuple([radioAddress, radioAddress])).max(16384),
});

export const radioMessageSchema = z.object({
  ...base,
  from: radioAddress,
  to: radioAddress,
  hops: z.number().int().min(0).max(255),
  bytes_hex: hexBytes,
});

export const radioEventSchema = z.object({
  ...base,
  kind: z.enum(['unreachable']),
  address: radioAddress,
  reason: z.string().max(512),
});

export const radioCommandSchema = z.discriminatedUnion('kind', [
  z.object({ id: name, kind: z.literal('ping'), address: radioAddress }),
  z.object({
    id: name,
    kind: z.literal('scan'),
    address: radioAddress,
    depth: z.number().int().min(1).max(16),
  }),
  z.object({ id: name, kind: z.literal('send'), address: radioAddress, bytes_hex: hexBytes }),
  /** Opens a stream, writes the bytes, ends its side and returns what the node sent back. */
  z.object({
    id: name,
    kind: z.literal('stream'),
    address: radioAddress,
    bytes_hex: hexBytes,
    /** How long to collect the answer. @default 2000 */
    window_ms: z.number().int().min(1).max(60_000).optional(),
  }),
]);

export const radioCommandResultSchema = z.object({
  ...base,
  id: name,
  ok: z.boolean(),
  /** Why it failed: `timeout`, `unreachable`, `busy`, or another meshlink error's text. */
  error: z.string().max(512).optional(),
  reason: z.enum(['timeout', 'unreachable', 'closed', 'failed']).optional(),
  rtt_ms: z.number().finite().nonnegative().optional(),
  hops: z.number().int().min(0).max(255).optional(),
  acked: z.boolean().optional(),
  graph: z
    .object({
      nodes: z.array(radioAddress).max(4096),
      edges: z.array(z.tuple([radioAddress, radioAddress])).max(16384),
    })
    .optional(),
  bytes_hex: hexBytes.optional(),
});

const schemas = {
  status: radioGatewayStatusSchema,
  node: radioNodeReportSchema,
  graph: radioGraphSchema,
  message: radioMessageSchema,
  events: radioEventSchema,
  command: radioCommandSchema,
  'command/result': radioCommandResultSchema,
} as const satisfies Record<RadioChannel, z.ZodType>;

export type RadioGatewayStatus = z.infer<typeof radioGatewayStatusSchema>;
export type RadioNodeReport = z.infer<typeof radioNodeReportSchema>;
export type RadioGraphReport = z.infer<typeof radioGraphSchema>;
export type RadioMessage = z.infer<typeof radioMessageSchema>;
export type RadioEventMessage = z.infer<typeof radioEventSchema>;
export type RadioCommand = z.infer<typeof radioCommandSchema>;
export type RadioCommandResult = z.infer<typeof radioCommandResultSchema>;
export type RadioMessageOf<C extends RadioChannel> = z.infer<(typeof schemas)[C]>;

/** Parses and validates one payload; the error names the JSON path and the rule broken. */
export function decodeRadioMessage<C extends RadioChannel>(
  channel: C,
  payload: Uint8Array | string,
): Decoded<RadioMessageOf<C>> {
  return decodePayload(schemas[channel], payload) as Decoded<RadioMessageOf<C>>;
}
