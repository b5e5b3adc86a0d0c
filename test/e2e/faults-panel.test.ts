/// <reference lib="dom" />
/**
 * The demo's fault panel in headless Chromium. The simulated demo is not part of this branch, so
 * a stub controller serves the built dashboard and the fault API as the brief specifies it
 * (`GET /api/demo/faults` -> targets and active faults, `POST /api/demo/faults` -> 202) and
 * records what the panel sends. The panel is hidden when the API answers 404, which the main
 * dashboard test's real controller does.
 */
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let server: FastifyInstance;
let url: string;
let browser: Chromium;
let faultsAvailable = true;
const posted: Record<string, unknown>[] = [];
const active: Record<string, unknown>[] = [];
let role: 'admin' | 'viewer' = 'admin';

async function stubController(webRoot: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyWebsocket);
  app.post('/api/login', async () => ({
    token: `t-${role}`,
    username: role === 'admin' ? 'admin' : 'watcher',
    role,
    expires_at: Date.now() + 3_600_000,
  }));
  app.post('/api/live/ticket', async () => ({ ticket: 'tk', expires_at: Date.now() + 30_000 }));
  app.get('/api/live', { websocket: true }, (socket) => {
    socket.send(JSON.stringify({ type: 'hello', site: 'demo', at: Date.now() }));
  });
  app.get('/api/overview', async () => ({
    site: 'demo',
    nodes_total: 2,
    nodes_online: 2,
    gateways: 1,
    gateways_announcing: 1,
    wans_total: 1,
    wans_up: 1,
    alerts_open: 0,
    alerts_critical: 0,
    mqtt_connected: true,
  }));
  app.get('/api/demo/faults', async (_req, reply) =>
    faultsAvailable
      ? {
          targets: {
            nodes: ['gw-1', 'relay-2'],
            wans: [{ node: 'gw-1', wan: 'wan' }],
            links: [{ a: 'gw-1', b: 'relay-2' }],
          },
          active,
        }
      : reply.code(404).send({ error: 'no such route' }),
  );
  app.post('/api/demo/faults', async (req, reply) => {
    if (role !== 'admin') return reply.code(403).send({ error: 'needs an admin' });
    const body = req.body as Record<string, unknown>;
    posted.push(body);
    active.push(body);
    return reply.code(202).send({ ok: true });
  });
  await app.register(fastifyStatic, { root: webRoot, prefix: '/' });
  app.setNotFoundHandler(async (request, reply) =>
    request.url.startsWith('/api/')
      ? reply.code(404).send({ error: 'no such route' })
      : reply.sendFile('index.html'),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app;
}

async function loggedInPage(beforeLogin: (page: Page) => void = () => {}) {
  const page = await browser.context.newPage();
  beforeLogin(page);
  await page.goto(url);
  await page.fill('input[name=username]', 'someone');
  await page.fill('input[name=password]', 'pw');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=live-indicator].on');
  return page;
}

describe.skipIf(!chromiumPath)(
  `fault panel in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      server = await stubController(await buildDashboard());
      url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('sends each fault action with its target, and shows the active faults', async () => {
      const page = await loggedInPage();
      await page.click('nav a[href="#/faults"]');
      const row = (text: string) => page.locator('.fault-row', { hasText: text });
      await row('relay-2').first().getByRole('button', { name: 'Kill' }).click();
      await row('gw-1 / wan').getByRole('button', { name: 'Cut' }).click();
      await page.locator('input[type=range]').fill('40');
      await row('gw-1 — relay-2').getByRole('button', { name: 'Degrade' }).click();
      await row('gw-1 — relay-2').getByRole('button', { name: 'Restore' }).click();
      await page.waitForFunction(
        () => document.querySelectorAll('.card pre.code').length > 0,
        undefined,
        { timeout: 10_000 },
      );
      expect(posted).toEqual([
        { action: 'kill-node', node: 'relay-2' },
        { action: 'cut-wan', node: 'gw-1', wan: 'wan' },
        { action: 'degrade-link', a: 'gw-1', b: 'relay-2', loss: 0.4 },
        { action: 'restore-link', a: 'gw-1', b: 'relay-2' },
      ]);
      await page.waitForFunction(() =>
        document.querySelector('.card pre.code')?.textContent?.includes('restore-link'),
      );
      await page.close();
    });

    it('disables the panel for a viewer', async () => {
      role = 'viewer';
      const page = await loggedInPage();
      await page.click('nav a[href="#/faults"]');
      await page.locator('.fault-row').first().waitFor();
      const buttons = await page.locator('.fault-row button').all();
      expect(buttons.length).toBe(2 * 4);
      for (const b of buttons) expect(await b.isDisabled()).toBe(true);
      role = 'admin';
      await page.close();
    });

    it('hides the panel when the controller has no fault API', async () => {
      faultsAvailable = false;
      let answered: Promise<Response> | undefined;
      const page = await loggedInPage((p) => {
        answered = p.waitForResponse((r) => r.url().endsWith('/api/demo/faults'));
      });
      // Only once the shell has had its answer does the absence of the link mean anything.
      expect((await answered!).status()).toBe(404);
      await page.waitForSelector('[data-testid=kpi-nodes]');
      expect(await page.locator('nav a[href="#/faults"]').count()).toBe(0);
      faultsAvailable = true;
      await page.close();
    });
  },
);
