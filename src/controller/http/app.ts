/**
 * The controller's HTTP API and WebSocket feed, as one Fastify app built from its dependencies
 * (so tests drive it with `app.inject` and a real store, no sockets needed).
 *
 * Routes: POST /api/login, POST /api/logout, GET /api/me, GET /api/health, GET /api/overview,
 * GET /api/nodes, GET /api/nodes/:node, GET /api/nodes/:node/monitoring,
 * GET /api/nodes/:node/metrics, GET /api/clients, GET /api/clients/:mac (clients/client-routes.ts), GET /api/topology, GET /api/events, GET /api/alerts,
 * POST /api/alerts/:id/ack, GET /api/nodes/:node/config, POST /api/config/validate,
 * GET /api/config/pushes, POST /api/config/push, GET /api/rejected,
 * GET /api/demo/faults, POST /api/demo/faults (only with a simulated demo mesh; 404 otherwise;
 * 409 for a fault that contradicts the state, such as killing a dead node),
 * the upgrade campaign routes (upgrade-routes.ts), the user routes (user-routes.ts), the site file routes
 * (site-routes.ts), GET /metrics,
 * POST /api/live/ticket, GET /api/live (WebSocket).
 *
 * Roles: viewer reads; operator also injects faults, acknowledges alerts, pushes configuration and
 * runs upgrades; admin also manages users and sees refused messages. Every response carries the
 * security headers (security-headers.ts); JSON bodies are depth-limited (json-body.ts).
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { zodIssueLines } from '../../core/validation-path.ts';
import type { BatchingSessionStats } from '../../mqtt/batching-session.ts';
import type { BrokerHealth } from '../../mqtt/broker-supervisor.ts';
import { MAX_PAYLOAD_BYTES } from '../../mqtt/messages.ts';
import {
  InvalidConfigError,
  UnknownNodeError,
  type ConfigPushService,
} from '../config-push-service.ts';
import { configDiff } from '../config-diff.ts';
import type { IngestStats, LiveChange } from '../ingest.ts';
import {
  FaultConflictError,
  FaultTargetError,
  faultRequestSchema,
  type DemoFaults,
} from './demo-faults.ts';
import type { DemoImage } from './demo-images.ts';
import type { UpgradeCampaignService } from '../upgrade/upgrade-campaign-service.ts';
import { loginGateFor } from '../login-gate.ts';
import { deviceMonitoring } from '../netjson.ts';
import { DashboardReads } from '../read-model/dashboard-reads.ts';
import { refreshHint, sendSnapshot } from '../read-model/snapshot-reply.ts';
import { nodeView, withTraffic } from '../node-view.ts';
import type { CurrentTraffic } from '../traffic-rates.ts';
import type { SiteEditor } from '../site-editor.ts';
import type { ControllerStore } from '../store/controller-store.ts';
import { UserAccounts } from '../user-accounts.ts';
import { requireRole, tokenOf } from './auth.ts';
import { registerJsonBodyParser } from './json-body.ts';
import type { LiveHub } from './live-hub.ts';
import { liveTicketBookFor } from './live-ticket-book.ts';
import { prometheusRegistry } from './prometheus.ts';
import { registerClusterMetrics, type ClusterHealth } from '../cluster/cluster-report.ts';
import { registerHealth } from './health.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerSiteRoutes } from './site-routes.ts';
import { registerUpgradeRoutes } from './upgrade-routes.ts';
import { registerUserRoutes } from './user-routes.ts';
import { registerClientRoutes } from '../clients/client-routes.ts';
import { registerRadioRoutes } from '../radio/radio-routes.ts';
import type { RadioService } from '../radio/radio-service.ts';
import { trustProxyOption } from './trust-proxy.ts';
import { originAllowed } from './ws-origin.ts';

export interface ApiDeps {
  store: ControllerStore;
  clock: Clock;
  site: string;
  pushes: ConfigPushService;
  upgrades: UpgradeCampaignService;
  live: LiveHub;
  /**
   * What a request changed, to every dashboard: in a controller cluster also to the other
   * processes' (through PostgreSQL). @default this process's `live` only
   */
  announce?: ((changes: LiveChange[]) => void) | undefined;
  mqttConnected: () => boolean;
  ingestStats: () => IngestStats;
  /** The MQTT session's counters, for /metrics. */
  mqttStats?: () => Readonly<BatchingSessionStats>;
  /** The embedded broker's health, for /api/health; absent with an external broker. */
  brokerHealth?: (() => BrokerHealth) | undefined;
  /** @default 12 hours */
  sessionTtlMs?: number;
  /** A built dashboard to serve at `/`, if any. */
  webRoot?: string;
  /** Lets Prometheus scrape /metrics without a token (it stays read-only). @default false */
  publicMetrics?: boolean;
  /** The simulated demo mesh's fault injection, when the controller runs next to one. */
  demo?: DemoFaults;
  /** The simulated demo mesh's example firmware images. */
  demoImages?: readonly DemoImage[] | undefined;
  /** The latest traffic rate of each WAN of a node (from its byte counters), if known. */
  trafficNow?: (node: string) => Record<string, CurrentTraffic>;
  /** How old an online node's state may be before the API calls it stale. @default 90 s */
  staleAfterMs?: number;
  /**
   * The overview and topology are rebuilt at most this often, when a live change says they
   * changed (read-model/dashboard-reads.ts). @default 0: every request reads the store
   */
  readIntervalMs?: number;
  /** Serve HTTPS (and wss:// for /api/live) with this PEM certificate and key. @default HTTP */
  https?: { cert: string; key: string } | undefined;
  /**
   * Reverse proxies (addresses, CIDRs) whose X-Forwarded-For names the client, for the login
   * throttle and the logs (trust-proxy.ts). @default none: the header is ignored
   */
  trustProxy?: readonly string[] | undefined;
  /** Origins besides the controller's own that may open /api/live (e.g. a reverse proxy's). */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * How often open live sockets are checked against their session, to close those that expired
   * or were ended by another process (`intelli-mesh user passwd`). @default 15 s
   */
  liveSweepMs?: number;
  /** Where unexpected (500) errors are logged. */
  logger?: Logger | undefined;
  /** The site file whose VLANs and SSIDs /api/site edits (site-routes.ts), if any. */
  siteEditor?: SiteEditor | undefined;
  /** The radio networks behind radio gateways: /api/radio/… (radio/radio-routes.ts). */
  radio?: RadioService | undefined;
  /** This process's part in a controller cluster, for /api/health and /metrics. */
  cluster?: (() => ClusterHealth) | undefined;
}

/**
 * Room left in a node's 256 KiB command for the push envelope (id, version, timeout): a bigger
 * configuration would be dropped by the broker or the agent and the push never answered.
 */
const MAX_PUSH_CONFIG_BYTES = MAX_PAYLOAD_BYTES - 4 * 1024;

const loginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
const pushBody = z.object({
  node: z.string().min(1).max(64),
  version: z.string().min(1).max(128),
  config: z.record(z.string(), z.unknown()),
  confirm_timeout_s: z.number().positive().max(3600).optional(),
});
const validateBody = z.object({
  node: z.string().min(1).max(64),
  config: z.record(z.string(), z.unknown()),
});
const eventKind = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}\*?$/,
    'expected an event kind such as node-down, or a family such as push-*',
  );
const eventsQuery = z.object({
  node: z.string().max(64).optional(),
  /** One kind, several (`kind=a&kind=b` or `kind=a,b`), or a family (`push-*`). */
  kind: z
    .union([z.string(), z.array(z.string())])
    .transform((k) => (Array.isArray(k) ? k : [k]).flatMap((x) => x.split(',')).filter(Boolean))
    .pipe(z.array(eventKind).max(32))
    .optional(),
  source: z.enum(['node', 'controller']).optional(),
  since: z.coerce.number().nonnegative().optional(),
  until: z.coerce.number().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
const metricsQuery = z.object({
  series: z.string().min(1).max(128),
  since: z.coerce.number().nonnegative(),
  until: z.coerce.number().nonnegative().optional(),
});

function badRequest(reply: FastifyReply, where: string, error: z.ZodError) {
  return reply.code(400).send({ error: `invalid ${where}`, issues: zodIssueLines(error) });
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const { store, clock } = deps;
  // Fastify types an HTTPS instance apart; routes, hooks and inject are the same.
  const trustProxy = trustProxyOption(deps.trustProxy);
  const app = (
    deps.https
      ? Fastify({ logger: false, bodyLimit: 1024 * 1024, https: deps.https, trustProxy })
      : Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy })
  ) as FastifyInstance;
  const viewer = requireRole(store.users, clock, 'viewer');
  const operator = requireRole(store.users, clock, 'operator');
  const admin = requireRole(store.users, clock, 'admin');
  const throttle = loginGateFor(store);
  const accounts = new UserAccounts(store, clock);
  const tickets = liveTicketBookFor(store);
  const announce = deps.announce ?? ((changes: LiveChange[]) => deps.live.broadcast(changes));
  const log = deps.logger ?? silentLogger;
  const registry = prometheusRegistry(store, deps.ingestStats, deps.mqttStats, deps.brokerHealth);
  if (deps.cluster) registerClusterMetrics(registry, deps.cluster);
  const ttl = deps.sessionTtlMs ?? 12 * 3_600_000;

  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  registerSecurityHeaders(app, { https: deps.https !== undefined });
  registerJsonBodyParser(app);

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      log.error({ err: error, url: request.url, from: request.ip }, 'HTTP request failed');
    }
    void reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });

  app.post('/api/login', async (request, reply) => {
    const body = loginBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, 'login body', body.error);
    const { username, password } = body.data;
    const address = request.ip;
    const started = clock.now();
    // Counted before the (slow) check, so concurrent guesses cannot overrun the budget.
    const waitMs = await throttle.begin(username, address, started);
    if (waitMs > 0) {
      const wait = Math.ceil(waitMs / 1000);
      log.warn({ from: address, username }, 'login refused: too many failed logins');
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .send({ error: `too many failed logins; retry in ${wait} s` });
    }
    const user = await accounts.verify(username, password);
    if (!user) {
      log.warn({ from: address, username }, 'login failed: wrong username or password');
      return reply.code(401).send({ error: 'wrong username or password' });
    }
    await throttle.succeeded(username, address, started);
    const now = clock.now();
    const token = await store.users.openSession(user.username, now, ttl);
    return { token, username: user.username, role: user.role, expires_at: now + ttl };
  });

  app.post('/api/logout', { preHandler: viewer }, async (request) => {
    await store.users.closeSession(tokenOf(request)!);
    deps.live.closeSession(request.user!.session!);
    return { ok: true };
  });

  app.get('/api/me', { preHandler: viewer }, async (request) => ({
    username: request.user!.username,
    role: request.user!.role,
  }));

  registerHealth(app, { ...deps, broker: deps.brokerHealth });

  const nodeViews = async () => {
    const now = clock.now();
    return (await store.nodes.list()).map((n) =>
      withTraffic(nodeView(n, now, deps.staleAfterMs), deps.trafficNow),
    );
  };

  const reads = new DashboardReads({
    store,
    clock,
    site: deps.site,
    staleAfterMs: deps.staleAfterMs,
    intervalMs: deps.readIntervalMs,
  });
  deps.live.onChanges((changes) => reads.onChanges(changes));

  app.get('/api/overview', { preHandler: viewer }, async (_request, reply) => {
    const overview = await reads.overview();
    refreshHint(reply, overview);
    return {
      site: deps.site,
      ...overview.value,
      mqtt_connected: deps.mqttConnected(),
      generated_at: overview.generatedAt,
    };
  });

  app.get('/api/nodes', { preHandler: viewer }, async () => nodeViews());

  app.get<{ Params: { node: string } }>(
    '/api/nodes/:node',
    { preHandler: viewer },
    async (request, reply) => {
      const record = await store.nodes.get(request.params.node);
      if (!record) return reply.code(404).send({ error: `no node '${request.params.node}'` });
      return {
        ...withTraffic(nodeView(record, clock.now(), deps.staleAfterMs), deps.trafficNow),
        alerts: (await store.alerts.listOpen()).filter((a) => a.node === record.node),
        events: await store.events.query({ node: record.node, limit: 50 }),
        pushes: await store.pushes.list(record.node, 10),
        stations: await store.clients.atNode(record.node),
      };
    },
  );

  app.get<{ Params: { node: string } }>(
    '/api/nodes/:node/monitoring',
    { preHandler: viewer },
    async (request, reply) => {
      const record = await store.nodes.get(request.params.node);
      if (!record) return reply.code(404).send({ error: `no node '${request.params.node}'` });
      return deviceMonitoring(record);
    },
  );

  app.get<{ Params: { node: string } }>(
    '/api/nodes/:node/metrics',
    { preHandler: viewer },
    async (request, reply) => {
      const q = metricsQuery.safeParse(request.query);
      if (!q.success) return badRequest(reply, 'metrics query', q.error);
      const now = clock.now();
      return store.metrics.query(
        request.params.node,
        q.data.series,
        q.data.since,
        q.data.until ?? now,
        now,
      );
    },
  );

  app.get<{ Params: { node: string } }>(
    '/api/nodes/:node/config',
    { preHandler: viewer },
    async (request, reply) => {
      const config = await store.nodes.config(request.params.node);
      if (!config)
        return reply
          .code(404)
          .send({ error: `node '${request.params.node}' has not reported a configuration` });
      return config;
    },
  );

  app.post('/api/config/validate', { preHandler: viewer }, async (request, reply) => {
    const body = validateBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, 'validate body', body.error);
    try {
      const issues = await deps.pushes.check(body.data.node, body.data.config);
      const current = (await store.nodes.config(body.data.node))?.config ?? {};
      // 422 when the node would refuse it; `errors` carries each issue's path apart.
      return reply.code(issues.length === 0 ? 200 : 422).send({
        ok: issues.length === 0,
        ...(issues.length > 0 ? { error: 'configuration invalid' } : {}),
        issues: issues.map((i) => `${i.path}: ${i.message}`),
        errors: issues,
        diff: configDiff(current, body.data.config),
      });
    } catch (err) {
      if (err instanceof UnknownNodeError) return reply.code(404).send({ error: err.message });
      throw err;
    }
  });

  app.get('/api/topology', { preHandler: viewer }, async (request, reply) =>
    sendSnapshot(request, reply, await reads.topology()),
  );

  app.get('/api/events', { preHandler: viewer }, async (request, reply) => {
    const q = eventsQuery.safeParse(request.query);
    if (!q.success) return badRequest(reply, 'events query', q.error);
    const { kind, ...rest } = q.data;
    return store.events.query({ ...rest, kinds: kind });
  });

  app.get<{ Querystring: { state?: string } }>(
    '/api/alerts',
    { preHandler: viewer },
    async (request) =>
      request.query.state === 'all' ? store.alerts.listRecent() : store.alerts.listOpen(),
  );

  app.post<{ Params: { id: string } }>(
    '/api/alerts/:id/ack',
    { preHandler: operator },
    async (request, reply) => {
      const id = Number(request.params.id);
      const alert = Number.isInteger(id)
        ? await store.alerts.acknowledge(id, request.user!.username, clock.now())
        : undefined;
      if (!alert) return reply.code(404).send({ error: `no alert ${request.params.id}` });
      announce([{ type: 'alert', alert }]);
      return alert;
    },
  );

  app.get<{ Querystring: { node?: string } }>(
    '/api/config/pushes',
    { preHandler: viewer },
    async (request) => store.pushes.list(request.query.node),
  );

  app.post('/api/config/push', { preHandler: operator }, async (request, reply) => {
    const body = pushBody.safeParse(request.body);
    if (!body.success) return badRequest(reply, 'push body', body.error);
    const size = Buffer.byteLength(JSON.stringify(body.data.config));
    if (size > MAX_PUSH_CONFIG_BYTES) {
      return reply.code(413).send({
        error: `configuration of ${size} bytes is larger than the ${MAX_PUSH_CONFIG_BYTES} bytes a node accepts in one push`,
      });
    }
    try {
      const push = await deps.pushes.push({
        node: body.data.node,
        version: body.data.version,
        config: body.data.config,
        requestedBy: request.user!.username,
        confirmTimeoutS: body.data.confirm_timeout_s,
      });
      announce([{ type: 'push', push }]);
      return reply.code(202).send(push);
    } catch (err) {
      if (err instanceof UnknownNodeError) return reply.code(404).send({ error: err.message });
      if (err instanceof InvalidConfigError) {
        return reply.code(422).send({
          error: 'configuration invalid',
          issues: err.errors.map((e) => `${e.path}: ${e.message}`),
          errors: err.errors,
        });
      }
      throw err;
    }
  });

  app.get('/api/rejected', { preHandler: admin }, async () => store.rejected());

  const noDemo = { error: 'no simulated demo mesh runs here' };
  app.get('/api/demo/faults', { preHandler: viewer }, async (_request, reply) => {
    if (!deps.demo) return reply.code(404).send(noDemo);
    const demo = deps.demo;
    return { targets: demo.targets(), state: demo.state(), active: demo.active() };
  });

  app.post('/api/demo/faults', { preHandler: operator }, async (request, reply) => {
    if (!deps.demo) return reply.code(404).send(noDemo);
    const body = faultRequestSchema.safeParse(request.body);
    if (!body.success) return badRequest(reply, 'fault request', body.error);
    try {
      deps.demo.apply(body.data);
    } catch (err) {
      if (err instanceof FaultTargetError)
        return reply.code(400).send({ error: 'invalid fault request', issues: [err.message] });
      if (err instanceof FaultConflictError)
        return reply.code(409).send({ error: err.message, issues: [err.message] });
      throw err;
    }
    const demo = deps.demo;
    return reply
      .code(202)
      .send({ accepted: body.data, state: demo.state(), active: demo.active() });
  });

  registerUpgradeRoutes(app, deps, { viewer, operator });
  registerUserRoutes(app, { accounts, live: deps.live }, admin);
  registerSiteRoutes(app, { ...deps, announce }, { viewer, operator });
  registerClientRoutes(app, store, viewer);
  if (deps.radio) registerRadioRoutes(app, deps.radio, { viewer, operator });

  app.get('/metrics', { preHandler: deps.publicMetrics ? [] : viewer }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  // Browsers cannot send a header on a WebSocket: they trade their token for a ticket here.
  app.post('/api/live/ticket', { preHandler: viewer }, async (request) =>
    tickets.issue(request.user!, clock.now()),
  );

  const scheme = deps.https ? 'https' : 'http';
  const allowedOrigins = deps.allowedOrigins ?? [];
  const liveAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!originAllowed(request.headers.origin, request.headers.host, scheme, allowedOrigins)) {
      return reply.code(403).send({
        error: `origin ${request.headers.origin} may not open the live feed (see --allowed-origin)`,
      });
    }
    const ticket = (request.query as { ticket?: unknown }).ticket;
    if (typeof ticket !== 'string') return viewer.call(app, request, reply);
    const issued = await tickets.redeem(ticket, clock.now());
    // The session it was issued for must still be open (not logged out meanwhile).
    const user = issued?.session
      ? await store.users.sessionById(issued.session, clock.now())
      : undefined;
    if (!user) {
      return reply.code(401).send({
        error: 'live ticket unknown, used or expired: POST /api/live/ticket for a new one',
      });
    }
    request.user = user;
  };
  const sweep = setInterval(() => {
    deps.live
      .closeEnded(async (s) => (await store.users.sessionById(s, clock.now())) !== undefined)
      .catch((err: Error) => log.warn({ err: err.message }, 'live session sweep failed'));
  }, deps.liveSweepMs ?? 15_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
  app.get('/api/live', { websocket: true, preHandler: liveAuth }, (socket, request) => {
    deps.live.add(socket, request.user);
    socket.send(JSON.stringify({ type: 'hello', site: deps.site, at: clock.now() }));
  });

  if (deps.webRoot) {
    await app.register(fastifyStatic, { root: deps.webRoot, prefix: '/' });
    // Client-side routes of the dashboard fall back to its index.html.
    app.setNotFoundHandler((request, reply) => {
      if (request.url.startsWith('/api/')) return reply.code(404).send({ error: 'no such route' });
      return reply.sendFile('index.html');
    });
  }

  return app;
}
