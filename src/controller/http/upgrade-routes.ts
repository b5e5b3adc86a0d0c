/**
 * The upgrade campaign routes of the HTTP API: start a campaign (operator), list and read campaigns
 * with each node's wave and state (viewer), cancel a running one (operator), and, next to the
 * simulated demo, its example images. A bad body is a 400 naming each field at fault.
 *
 * Routes: POST /api/upgrades, GET /api/upgrades, GET /api/upgrades/:id,
 * POST /api/upgrades/:id/cancel, GET /api/demo/images (only with a simulated demo mesh).
 *
 * @example
 * registerUpgradeRoutes(app, { upgrades, store, demoImages }, { viewer, operator });
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { zodIssueLines } from '../../core/validation-path.ts';
import { UPGRADE_MAX_BYTES_LIMIT } from '../../mqtt/messages.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import {
  CampaignConflictError,
  CampaignRequestError,
  UnknownCampaignError,
  type UpgradeCampaignService,
} from '../upgrade/upgrade-campaign-service.ts';
import type { DemoImage } from './demo-images.ts';

const count = (min: number, max: number) => z.number().int().min(min).max(max);

export const campaignBody = z.strictObject({
  image_url: z
    .string()
    .max(2048)
    .regex(/^https?:\/\/[^\s/]+[^\s]*$/, 'expected an http:// or https:// URL'),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
    .transform((s) => s.toLowerCase()),
  version: z.string().trim().min(1).max(128),
  /** Target nodes, canaries first. @default every online node */
  nodes: z.array(z.string().min(1).max(64)).max(10_000).optional(),
  canary: count(1, 1000).default(1),
  wave_size: count(1, 10_000).default(5),
  node_timeout_s: count(10, 86_400).default(600),
  max_failures: count(0, 10_000).default(0),
  max_bytes: z.number().int().positive().max(UPGRADE_MAX_BYTES_LIMIT).optional(),
});

export interface UpgradeRouteDeps {
  upgrades: UpgradeCampaignService;
  store: ControllerStore;
  demoImages?: readonly DemoImage[] | undefined;
}

export function registerUpgradeRoutes(
  app: FastifyInstance,
  deps: UpgradeRouteDeps,
  roles: { viewer: preHandlerHookHandler; operator: preHandlerHookHandler },
): void {
  const { upgrades, store } = deps;
  const { viewer, operator } = roles;

  app.post('/api/upgrades', { preHandler: operator }, async (request, reply) => {
    const body = campaignBody.safeParse(request.body);
    if (!body.success)
      return reply
        .code(400)
        .send({ error: 'invalid upgrade campaign', issues: zodIssueLines(body.error) });
    try {
      return reply.code(201).send(await upgrades.start(body.data, request.user!.username));
    } catch (err) {
      if (err instanceof CampaignRequestError)
        return reply.code(400).send({ error: 'invalid upgrade campaign', issues: err.issues });
      if (err instanceof CampaignConflictError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });

  app.get('/api/upgrades', { preHandler: viewer }, async () => store.upgrades.list());

  app.get<{ Params: { id: string } }>(
    '/api/upgrades/:id',
    { preHandler: viewer },
    async (request, reply) => {
      const detail = await store.upgrades.detail(request.params.id);
      if (!detail)
        return reply.code(404).send({ error: `no upgrade campaign '${request.params.id}'` });
      return detail;
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/upgrades/:id/cancel',
    { preHandler: operator },
    async (request, reply) => {
      try {
        return await upgrades.cancel(request.params.id, request.user!.username);
      } catch (err) {
        if (err instanceof UnknownCampaignError)
          return reply.code(404).send({ error: err.message });
        if (err instanceof CampaignConflictError)
          return reply.code(409).send({ error: err.message });
        throw err;
      }
    },
  );

  app.get('/api/demo/images', { preHandler: viewer }, async (_request, reply) => {
    if (!deps.demoImages)
      return reply.code(404).send({ error: 'no simulated demo mesh runs here' });
    return deps.demoImages;
  });
}
