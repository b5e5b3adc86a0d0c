/**
 * The site file's VLANs and SSIDs over HTTP, for a controller started with a site file
 * (`intelli-mesh controller --site-file site.yaml`): GET /api/site, POST /api/site/preview (the
 * rendered UCI and agent config changes per node, or every issue of the edited site) and
 * POST /api/site/apply (operators and admins: writes the file atomically, then pushes each reporting node
 * whose agent config changed and says per node what happened). Without a site file: 404.
 */
import type { FastifyInstance, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { renderNode } from '../../config/render/render-node.ts';
import { zodIssueLines } from '../../core/validation-path.ts';
import { InvalidConfigError, type ConfigPushService } from '../config-push-service.ts';
import { SiteChangedError, type SiteEditor, type SitePreview } from '../site-editor.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import type { LiveChange } from '../ingest.ts';

export interface SiteRouteDeps {
  siteEditor?: SiteEditor | undefined;
  store: ControllerStore;
  pushes: ConfigPushService;
  /** The pushes sent, to every dashboard (every process's, in a cluster). */
  announce(changes: LiveChange[]): void;
}

const sectionsBody = z.object({
  vlans: z.array(z.unknown()).max(4094),
  ssids: z.array(z.unknown()).max(256),
  /** The `version` read from GET /api/site; apply refuses (409) if the file changed since. */
  version: z.string().max(128).optional(),
});

const NO_SITE = {
  error: 'this controller runs without a site file (start it with --site-file FILE)',
};

/** What happened to one node when a site change was applied. */
export interface NodeApplyResult {
  node: string;
  uci: string[];
  agent: string[];
  /** The push of the node's new agent config, when one was sent. */
  push: { id: string; version: string; status: string } | null;
  note: string;
}

function refused(p: Extract<SitePreview, { ok: false }>) {
  return {
    ok: false,
    error: 'site invalid',
    version: p.version,
    issues: p.issues.map((i) => `${i.path}: ${i.message}`),
    errors: p.issues,
  };
}

export function registerSiteRoutes(
  app: FastifyInstance,
  deps: SiteRouteDeps,
  roles: { viewer: preHandlerHookHandler; operator: preHandlerHookHandler },
): void {
  const { siteEditor: editor } = deps;

  app.get('/api/site', { preHandler: roles.viewer }, async (_request, reply) => {
    if (!editor) return reply.code(404).send(NO_SITE);
    return editor.read();
  });

  app.post('/api/site/preview', { preHandler: roles.viewer }, async (request, reply) => {
    if (!editor) return reply.code(404).send(NO_SITE);
    const body = sectionsBody.safeParse(request.body);
    if (!body.success)
      return reply
        .code(400)
        .send({ error: 'invalid site edit', issues: zodIssueLines(body.error) });
    const { text: _text, site: _site, ...p } = await editor.preview(body.data);
    return p.ok ? p : reply.code(422).send(refused(p));
  });

  app.post('/api/site/apply', { preHandler: roles.operator }, async (request, reply) => {
    if (!editor) return reply.code(404).send(NO_SITE);
    const body = sectionsBody.safeParse(request.body);
    if (!body.success)
      return reply
        .code(400)
        .send({ error: 'invalid site edit', issues: zodIssueLines(body.error) });
    let applied;
    try {
      applied = await editor.apply(body.data, body.data.version);
    } catch (err) {
      if (err instanceof SiteChangedError) return reply.code(409).send({ error: err.message });
      throw err;
    }
    if (!applied.ok) return reply.code(422).send(refused(applied));
    const site = applied.site!;
    const version = `site-${applied.version.slice(0, 12)}`;
    const nodes: NodeApplyResult[] = [];
    for (const n of applied.nodes) {
      const result: NodeApplyResult = { ...n, push: null, note: '' };
      nodes.push(result);
      if (n.agent.length === 0) {
        result.note =
          n.uci.length === 0
            ? 'no change'
            : 'UCI changes only: install them with `intelli-mesh config render`';
        continue;
      }
      if (!(await deps.store.nodes.get(n.node))) {
        result.note = 'not reporting to this controller: install with `intelli-mesh config render`';
        continue;
      }
      // The node's broker settings stay its own: a push carries the rest of its agent config.
      const { mqtt: _mqtt, ...agent } = renderNode(site, n.node, { validated: true })
        .agent as unknown as Record<string, unknown>;
      try {
        const push = await deps.pushes.push({
          node: n.node,
          version,
          config: agent,
          requestedBy: request.user!.username,
        });
        deps.announce([{ type: 'push', push }]);
        result.push = { id: push.id, version: push.version, status: push.status };
        result.note = 'agent config pushed';
      } catch (err) {
        if (!(err instanceof InvalidConfigError)) throw err;
        result.note = `not pushed: ${err.message}`;
      }
    }
    return { ok: true, version: applied.version, nodes };
  });
}
