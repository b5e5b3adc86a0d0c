/**
 * The Wi-Fi client routes of the HTTP API (viewer and up): every known client and where it is
 * now, one client with its roam history. MACs are taken in either case, with `:` or `-`
 * between octets, and answered lower-case with colons.
 *
 * Routes: GET /api/clients?q=<MAC or part of it>, GET /api/clients/:mac
 * (400 for a malformed MAC or query, 404 for a MAC the controller never saw).
 *
 * @example
 * registerClientRoutes(app, store, viewer);
 * // GET /api/clients/AA-BB-CC-DD-EE-01 → { client: { mac: 'aa:bb:cc:dd:ee:01', node: 'n7', ... }, history: [...] }
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import type { ControllerStore } from '../store/controller-store.ts';

const FULL_MAC = /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i;
const PART_OF_MAC = /^[0-9a-f:-]{1,17}$/i;

/** `AA-BB-…` → `aa:bb:…`; undefined when it is not a MAC address. */
export function normalizeMac(text: string): string | undefined {
  return FULL_MAC.test(text) ? text.toLowerCase().replaceAll('-', ':') : undefined;
}

export function registerClientRoutes(
  app: FastifyInstance,
  store: ControllerStore,
  viewer: preHandlerHookHandler,
): void {
  app.get<{ Querystring: { q?: string } }>(
    '/api/clients',
    { preHandler: viewer },
    async (request, reply) => {
      const q = request.query.q?.trim();
      if (q !== undefined && q !== '' && !PART_OF_MAC.test(q)) {
        return reply.code(400).send({
          error: 'invalid clients query',
          issues: [
            `q: '${q.slice(0, 40)}' is not a MAC address or part of one (hex digits, : or -)`,
          ],
        });
      }
      const part = q ? q.toLowerCase().replaceAll('-', ':') : undefined;
      return { clients: await store.clients.list(part) };
    },
  );

  app.get<{ Params: { mac: string } }>(
    '/api/clients/:mac',
    { preHandler: viewer },
    async (request, reply) => {
      const mac = normalizeMac(request.params.mac);
      if (mac === undefined) {
        return reply.code(400).send({
          error: `'${request.params.mac.slice(0, 40)}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)`,
        });
      }
      const client = await store.clients.get(mac);
      if (!client) return reply.code(404).send({ error: `no client ${mac} has been seen` });
      return { client, history: await store.clients.history(mac) };
    },
  );
}
