/**
 * The radio API (issue 14): radio nodes, node detail, the graph as NetJSON, messages, gateways
 * (viewers and up) and ping, scan and send through a gateway (operators and admins). Bad input
 * answers 400 with what and where; an unknown node 404; no gateway that hears it 503; a gateway
 * that does not answer in time, or a radio node that does not, 504.
 *
 * @example
 * registerRadioRoutes(app, radio, { viewer, operator });
 * // POST /api/radio/nodes/69/stream { text: 'hi' } → { ok: true, bytes_hex, text, gateway }
 * // GET /api/radio/nodes → { nodes: [...] }
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { zodIssueLines } from '../../core/validation-path.ts';
import type { RadioCommandResult } from '../../mqtt/radio-messages.ts';
import { isTopicName } from '../../mqtt/topics.ts';
import { radioNetworkGraph } from './radio-netjson.ts';
import { printableText, radioNeighbours, radioNodeView } from './radio-repo.ts';
import {
  AmbiguousRadioNodeError,
  NoRadioGatewayError,
  RadioCommandTimeoutError,
  UnknownRadioNodeError,
  type RadioService,
} from './radio-service.ts';

const address = z.coerce
  .number({ message: 'expected a radio node address (1..65535)' })
  .int('expected a whole number')
  .min(1, 'a radio node address is 1..65535 (0 is broadcast)')
  .max(65535, 'a radio node address is 1..65535');
const network = z
  .string()
  .refine(isTopicName, { message: 'expected a radio network name' })
  .optional();
const nodeParams = z.object({ address });
const networkQuery = z.object({ network });
const detailQuery = z.object({
  network,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const messagesQuery = z.object({
  node: address.optional(),
  network,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const scanBody = z.object({ depth: z.number().int().min(1).max(8) }).strict();
/** Largest message a command sends: meshlink's limit on a 32-byte radio (255 × 16 bytes). */
const MAX_SEND_BYTES = 4080;
const sendBody = z.union([
  z.object({ text: z.string().min(1).max(MAX_SEND_BYTES) }).strict(),
  z
    .object({
      bytes_hex: z
        .string()
        .min(2)
        .max(MAX_SEND_BYTES * 2)
        .regex(/^(?:[0-9a-fA-F]{2})+$/, 'expected hex digits, two per byte'),
    })
    .strict(),
]);

const streamBody = z.union([
  z
    .object({
      text: z.string().min(1).max(MAX_SEND_BYTES),
      window_ms: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  z
    .object({
      bytes_hex: z
        .string()
        .min(2)
        .max(MAX_SEND_BYTES * 2)
        .regex(/^(?:[0-9a-fA-F]{2})+$/, 'expected hex digits, two per byte'),
      window_ms: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
]);

function invalid(reply: FastifyReply, where: string, error: z.ZodError) {
  return reply.code(400).send({ error: `invalid ${where}`, issues: zodIssueLines(error) });
}

/**
 * The node a command route names (`:address`, optional `?network=`); undefined once the 400
 * has been sent.
 */
function commandTarget(
  request: FastifyRequest,
  reply: FastifyReply,
): { address: number; network?: string } | undefined {
  const p = nodeParams.safeParse(request.params);
  if (!p.success) {
    void invalid(reply, 'radio node address', p.error);
    return undefined;
  }
  const q = networkQuery.safeParse(request.query);
  if (!q.success) {
    void invalid(reply, 'query', q.error);
    return undefined;
  }
  return { address: p.data.address, ...(q.data.network ? { network: q.data.network } : {}) };
}

/** The bytes of a send or stream body: its text as UTF-8, or its hex. */
function bodyBytes(b: { text: string } | { bytes_hex: string }): Buffer {
  return 'text' in b ? Buffer.from(b.text, 'utf8') : Buffer.from(b.bytes_hex, 'hex');
}

/** Maps the service's typed errors to their status; anything else is the app's 500. */
function failed(reply: FastifyReply, err: unknown) {
  if (err instanceof UnknownRadioNodeError) return reply.code(404).send({ error: err.message });
  if (err instanceof AmbiguousRadioNodeError) return reply.code(400).send({ error: err.message });
  if (err instanceof NoRadioGatewayError) return reply.code(503).send({ error: err.message });
  if (err instanceof RadioCommandTimeoutError)
    return reply.code(504).send({ ok: false, error: err.message, reason: 'timeout' });
  throw err;
}

/** A result the gateway reported as failed: 504 for a timeout, 502 for the rest. */
function refusedBy(reply: FastifyReply, gateway: string, r: RadioCommandResult, extra = {}) {
  return reply.code(r.reason === 'timeout' ? 504 : 502).send({
    ok: false,
    ...extra,
    gateway,
    reason: r.reason ?? 'failed',
    error: r.error ?? 'the radio gateway reported a failure',
  });
}

export function registerRadioRoutes(
  app: FastifyInstance,
  radio: RadioService,
  roles: { viewer: preHandlerHookHandler; operator: preHandlerHookHandler },
): void {
  const { viewer, operator } = roles;

  app.get('/api/radio/nodes', { preHandler: viewer }, async (request, reply) => {
    const q = networkQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, 'query', q.error);
    const nodes = (await radio.nodes()).filter(
      (n) => !q.data.network || n.network === q.data.network,
    );
    return { nodes };
  });

  app.get('/api/radio/nodes/:address', { preHandler: viewer }, async (request, reply) => {
    const p = nodeParams.safeParse(request.params);
    if (!p.success) return invalid(reply, 'radio node address', p.error);
    const q = detailQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, 'query', q.error);
    try {
      const r = await radio.find(p.data.address, q.data.network);
      const limit = q.data.limit ?? 100;
      return {
        node: radioNodeView(r),
        rtt_history: (await radio.repo.rttHistory(r.network, r.address, limit)).map((h) => ({
          at: h.at,
          rtt_ms: h.rtt_ms,
          gateway: h.gateway,
        })),
        messages: await radio.repo.messages({ network: r.network, address: r.address, limit }),
        neighbours: radioNeighbours(r),
      };
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.get('/api/radio/graph', { preHandler: viewer }, async (request, reply) => {
    const q = networkQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, 'query', q.error);
    const only = <T extends { network: string }>(xs: T[]) =>
      q.data.network ? xs.filter((x) => x.network === q.data.network) : xs;
    return radioNetworkGraph(only(await radio.repo.graphs()), only(await radio.nodes()));
  });

  app.get('/api/radio/messages', { preHandler: viewer }, async (request, reply) => {
    const q = messagesQuery.safeParse(request.query);
    if (!q.success) return invalid(reply, 'query', q.error);
    return {
      messages: await radio.repo.messages({
        ...(q.data.network !== undefined ? { network: q.data.network } : {}),
        ...(q.data.node !== undefined ? { address: q.data.node } : {}),
        limit: q.data.limit ?? 100,
      }),
    };
  });

  app.get('/api/radio/gateways', { preHandler: viewer }, async () => ({
    gateways: (await radio.repo.gateways()).map((g) => ({
      id: g.id,
      network: g.network,
      address: g.address,
      online: g.online,
      last_seen: g.last_seen,
    })),
  }));

  app.post('/api/radio/nodes/:address/ping', { preHandler: operator }, async (request, reply) => {
    const target = commandTarget(request, reply);
    if (!target) return reply;
    try {
      const { gateway, result } = await radio.command(target, { kind: 'ping' });
      if (!result.ok) return refusedBy(reply, gateway, result);
      return { ok: true, rtt_ms: result.rtt_ms ?? null, hops: result.hops ?? null, gateway };
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.post('/api/radio/nodes/:address/scan', { preHandler: operator }, async (request, reply) => {
    const target = commandTarget(request, reply);
    if (!target) return reply;
    const b = scanBody.safeParse(request.body ?? {});
    if (!b.success) return invalid(reply, 'scan body', b.error);
    try {
      const {
        gateway,
        network: net,
        result,
      } = await radio.command(target, { kind: 'scan', depth: b.data.depth });
      if (!result.ok || !result.graph) return refusedBy(reply, gateway, result);
      const graph = radioNetworkGraph(
        [{ network: net, gateway, origin: target.address, ...result.graph }],
        (await radio.nodes()).filter(
          (n) => n.network === net && result.graph!.nodes.includes(n.address),
        ),
      );
      return { ok: true, gateway, graph };
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.post('/api/radio/nodes/:address/send', { preHandler: operator }, async (request, reply) => {
    const target = commandTarget(request, reply);
    if (!target) return reply;
    const b = sendBody.safeParse(request.body ?? {});
    if (!b.success)
      return reply.code(400).send({
        error: 'invalid send body: give { "text": "…" } or { "bytes_hex": "…" }',
        issues: zodIssueLines(b.error),
      });
    const bytes = bodyBytes(b.data);
    if (bytes.length > MAX_SEND_BYTES)
      return reply
        .code(400)
        .send({ error: `text: ${bytes.length} bytes; at most ${MAX_SEND_BYTES}` });
    try {
      const { gateway, result } = await radio.command(target, { kind: 'send', bytes });
      if (!result.ok) return refusedBy(reply, gateway, result, { acked: false });
      return { ok: true, acked: result.acked === true, gateway };
    } catch (err) {
      return failed(reply, err);
    }
  });

  // Additive to the issue's API: a stream to the node (its reply within the window).
  app.post('/api/radio/nodes/:address/stream', { preHandler: operator }, async (request, reply) => {
    const target = commandTarget(request, reply);
    if (!target) return reply;
    const b = streamBody.safeParse(request.body ?? {});
    if (!b.success)
      return reply.code(400).send({
        error:
          'invalid stream body: give { "text": "…" } or { "bytes_hex": "…" }, window_ms optional',
        issues: zodIssueLines(b.error),
      });
    const bytes = bodyBytes(b.data);
    try {
      const { gateway, result } = await radio.command(target, {
        kind: 'stream',
        bytes,
        ...(b.data.window_ms !== undefined ? { window_ms: b.data.window_ms } : {}),
      });
      if (!result.ok) return refusedBy(reply, gateway, result);
      const back = Buffer.from(result.bytes_hex ?? '', 'hex');
      return {
        ok: true,
        gateway,
        bytes_hex: back.toString('hex'),
        text: printableText(back),
        size: back.length,
      };
    } catch (err) {
      return failed(reply, err);
    }
  });
}
