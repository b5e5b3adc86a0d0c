/**
 * A real controller HTTP server for the security tests: the production Fastify app on a real
 * socket (127.0.0.1, a free port), a real SQLite file, the admin bootstrapped the way the
 * controller does it, and no MQTT (pushes are recorded). Restart it on the same file to test
 * what survives a restart.
 *
 * @example
 * const ctl = await startHttpController({ adminPassword: 'admin-pw-1' });
 * const token = await ctl.login('admin', 'admin-pw-1');
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../src/core/logger.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import type { Command } from '../../src/mqtt/messages.ts';
import { ensureAdmin } from '../../src/controller/admin-bootstrap.ts';
import { ConfigPushService } from '../../src/controller/config-push-service.ts';
import { buildApp } from '../../src/controller/http/app.ts';
import { LiveHub } from '../../src/controller/http/live-hub.ts';
import { Ingest } from '../../src/controller/ingest.ts';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { UpgradeCampaignService } from '../../src/controller/upgrade/upgrade-campaign-service.ts';

export interface HttpController {
  url: string;
  dbPath: string;
  store: ControllerStore;
  scheduler: VirtualScheduler;
  ingest: Ingest;
  live: LiveHub;
  app: FastifyInstance;
  sent: { node: string; command: Command }[];
  /** Logs in; returns the bearer token (throws on failure). */
  login(username: string, password: string): Promise<string>;
  /** fetch against the server with `Authorization: Bearer token` when given. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startHttpController(
  options: {
    adminPassword?: string;
    dbPath?: string;
    webRoot?: string;
    https?: { cert: string; key: string };
    allowedOrigins?: string[];
    liveSweepMs?: number;
    trustProxy?: string[];
    logger?: Logger;
  } = {},
): Promise<HttpController> {
  const dbPath = options.dbPath ?? join(mkdtempSync(join(tmpdir(), 'im-sec-')), 'controller.db');
  const store = await ControllerStore.open(dbPath);
  const scheduler = new VirtualScheduler(Date.now());
  await ensureAdmin(store.users, options.adminPassword ?? 'admin-pw-1', scheduler.now());
  const ingest = new Ingest({ store, scheduler });
  const live = new LiveHub();
  const sent: { node: string; command: Command }[] = [];
  const app = await buildApp({
    store,
    clock: scheduler,
    site: 'lab',
    pushes: new ConfigPushService({
      store,
      clock: scheduler,
      send: async (node, command) => {
        sent.push({ node, command });
      },
      // These tests are about who may push and how much, not what: any configuration passes.
      validate: () => [],
    }),
    upgrades: new UpgradeCampaignService({
      store,
      scheduler,
      newId: () => 'c1',
      send: async () => {},
      publish: () => {},
    }),
    live,
    mqttConnected: () => true,
    ingestStats: () => ingest.stats,
    webRoot: options.webRoot,
    https: options.https,
    allowedOrigins: options.allowedOrigins,
    liveSweepMs: options.liveSweepMs,
    trustProxy: options.trustProxy,
    logger: options.logger,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const url = `${options.https ? 'https' : 'http'}://127.0.0.1:${port}`;

  const request: HttpController['request'] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(url + path, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
  return {
    url,
    dbPath,
    store,
    scheduler,
    ingest,
    live,
    app,
    sent,
    request,
    login: async (username, password) => {
      const r = await request('/api/login', { method: 'POST', json: { username, password } });
      const body = (await r.json()) as { token?: string; error?: string };
      if (!r.ok || !body.token) throw new Error(`login ${username}: ${r.status} ${body.error}`);
      return body.token;
    },
    close: async () => {
      live.closeAll();
      await app.close();
      await store.close();
    },
  };
}

/** Polls `check` until it is true or `timeoutMs` passes; fails naming `what`. */
export async function waitUntil(what: string, check: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
