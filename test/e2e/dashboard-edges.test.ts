/// <reference lib="dom" />
/**
 * The dashboard's edges in headless Chromium against the real demo (broker, controller, a
 * simulated 12-node mesh publishing over MQTT): the node table in natural order, sorted by a
 * header click and searched, with IP/MAC/model/firmware/uptime; the push table's time; the
 * gateway's bandwidth in Mbit/s; a chart's value axis not clipped; topology labels inside the
 * canvas at 820 px; and, on a controller no node has reported to, how to add one.
 */
import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { DEMO_FIRMWARE } from '../../src/demo/demo-images.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { apiApp } from '../controller/api-app.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo;
let empty: { app: FastifyInstance; store: ControllerStore; url: string };
let browser: Chromium;
let page: Page;

async function login(p: Page, url: string): Promise<void> {
  await signIn(p, url, 'admin', 'admin-pw');
}

const rowNames = (p: Page) =>
  p.$$eval('[data-testid=nodes-table] tbody tr', (trs) =>
    trs.map((tr) => tr.getAttribute('data-node')),
  );

async function emptyController(webRoot: string) {
  const api = await apiApp({ scheduler: new RealScheduler(), site: 'new-site', webRoot });
  return { app: api.app, store: api.store, url: await api.listen() };
}

describe.skipIf(!chromiumPath)(
  `dashboard edges in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const webRoot = await buildDashboard();
      demo = await startDemo({
        port: 0,
        nodes: 12,
        seed: 1,
        dbPath: join(mkdtempSync(join(tmpdir(), 'im-edges-')), 'controller.db'),
        webRoot,
        adminPassword: 'admin-pw',
        metricsEveryMs: 1000,
      });
      empty = await emptyController(webRoot);
      browser = await launchChromium();
      page = await browser.context.newPage();
      await login(page, demo.url);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      await empty?.app.close();
      await empty?.store.close();
    });

    it('lists nodes in natural order, sorts by a header click, searches and filters', async () => {
      await page.goto(`${demo.url}/#/nodes`);
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=nodes-table] tbody tr').length === 12,
        undefined,
        { timeout: 20_000 },
      );
      const natural = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11'];
      expect(await rowNames(page)).toEqual(natural);
      const nodeHeader = page.locator('th[data-column=node]');
      expect(await nodeHeader.getAttribute('aria-sort')).toBe('ascending');
      await nodeHeader.getByRole('button').click();
      expect(await nodeHeader.getAttribute('aria-sort')).toBe('descending');
      expect(await rowNames(page)).toEqual([...natural].reverse());

      // By IP, numerically: 10.42.0.9 (n8) before 10.42.0.10 (n9).
      await page.locator('th[data-column=ip] button').click();
      expect(await page.locator('th[data-column=ip]').getAttribute('aria-sort')).toBe('ascending');
      expect(await nodeHeader.getAttribute('aria-sort')).toBe('none');
      expect(await rowNames(page)).toEqual(natural);

      await page.fill('[data-testid=node-search]', '10.42.0.1');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=nodes-table] tbody tr').length === 4,
      );
      expect(await rowNames(page)).toEqual(['n0', 'n9', 'n10', 'n11']);
      await page.selectOption('[data-testid=node-filter-role]', 'gateway');
      expect(await rowNames(page)).toEqual(['n0', 'n11']);
      await page.fill('[data-testid=node-search]', '');
      await page.selectOption('[data-testid=node-filter-role]', 'all');
      await page.selectOption('[data-testid=node-filter-status]', 'offline');
      expect(await rowNames(page)).toEqual([]);
      await page.selectOption('[data-testid=node-filter-status]', 'all');
    }, 60_000);

    it('shows each node’s IP, MAC, model, firmware and uptime', async () => {
      const cell = (id: string) =>
        page.locator(`[data-testid=nodes-table] tr[data-node=n7] [data-testid=${id}]`);
      await page.waitForFunction(
        () =>
          document.querySelector('tr[data-node=n7] [data-testid=node-firmware]')?.textContent !==
          '–',
        undefined,
        { timeout: 20_000 },
      );
      expect(await cell('node-ip').textContent()).toBe('10.42.0.8');
      expect(await cell('node-mac').textContent()).toBe('02:00:00:00:00:08');
      expect(await cell('node-model').textContent()).toMatch(/^(TP-Link|Ubiquiti) /);
      expect(await cell('node-firmware').textContent()).toBe(DEMO_FIRMWARE);
      expect(await cell('node-uptime').textContent()).toMatch(/^\d+(s|m \d+s)$/);
      // The table fits its card by scrolling sideways, one line per node.
      const h = await page.locator('[data-testid=nodes-table] tr[data-node=n7]').boundingBox();
      expect(h!.height).toBeLessThan(60);
    });

    it('shows a push with its time, and the gateway bandwidth in Mbit/s', async () => {
      const current = await demo.controller.store.nodes.config('n0');
      expect(current).toBeDefined();
      const token = await page.evaluate(() => {
        for (const store of [sessionStorage, localStorage])
          for (let i = 0; i < store.length; i++) {
            const v = store.getItem(store.key(i)!) ?? '';
            const m = /"token":"([^"]+)"/.exec(v);
            if (m) return m[1];
          }
        return null;
      });
      expect(token).toBeTruthy();
      const push = await fetch(`${demo.url}/api/config/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node: 'n0', version: 'edges-1', config: current!.config }),
      });
      expect(push.status).toBe(202);
      await page.goto(`${demo.url}/#/nodes/n0`);
      const time = page.locator(
        '[data-testid=push-table] tr[data-version=edges-1] [data-testid=push-time]',
      );
      await time.waitFor({ timeout: 20_000 });
      expect(await time.textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
      await page.waitForFunction(() => document.body.textContent?.includes('announcing ('));
      expect(await page.locator('body').textContent()).toMatch(
        /announcing \(\d+(\.\d)? \/ \d+(\.\d)? Mbit\/s\)/,
      );
    }, 60_000);

    it('draws chart value axes wide enough for their labels', async () => {
      await page.goto(`${demo.url}/#/nodes/n0`);
      await page.waitForFunction(
        () => document.querySelectorAll('.chart canvas').length >= 2,
        undefined,
        {
          timeout: 30_000,
        },
      );
      // A label cut at the left edge leaves glyph pixels in the canvas's first columns.
      const inked = await page.$$eval('.chart canvas', (canvases) =>
        canvases.map((c) => {
          const cv = c as HTMLCanvasElement;
          const data = cv.getContext('2d')!.getImageData(0, 0, 2, cv.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
          return n;
        }),
      );
      expect(inked.length).toBeGreaterThanOrEqual(2);
      expect(inked).toEqual(inked.map(() => 0));
    }, 60_000);

    it('keeps every topology label inside the canvas at 820 px width', async () => {
      const narrow = await browser.context.newPage();
      await narrow.setViewportSize({ width: 820, height: 1000 });
      await login(narrow, demo.url);
      await narrow.waitForSelector('[data-testid=topology-canvas][data-nodes="12"]', {
        timeout: 20_000,
      });
      type Label = { id: string; left: number; right: number };
      const read = () =>
        narrow
          .locator('[data-testid=topology-canvas]')
          .evaluate((el: HTMLElement & { topology?: { labels: Label[] } }) => ({
            labels: el.topology?.labels ?? null,
            width: el.getBoundingClientRect().width,
          }));
      await narrow.waitForFunction(
        () =>
          ((
            document.querySelector('[data-testid=topology-canvas]') as unknown as {
              topology?: { labels: unknown[] };
            }
          ).topology?.labels.length ?? 0) > 0,
      );
      const { labels, width } = await read();
      expect(labels).not.toBeNull();
      const gateways = labels!.filter((l) => ['n0', 'n3', 'n8', 'n11'].includes(l.id));
      expect(gateways.length).toBeGreaterThan(0);
      for (const l of labels!) {
        expect(l.left, l.id).toBeGreaterThanOrEqual(0);
        expect(l.right, l.id).toBeLessThanOrEqual(width);
      }
      await narrow.close();
    }, 60_000);

    it('tells the operator of an empty controller how to add a node', async () => {
      const p = await browser.context.newPage();
      await login(p, empty.url);
      const hint = p.locator('[data-testid=empty-site]');
      await hint.waitFor();
      const text = (await hint.textContent()) ?? '';
      expect(text).toContain('No node has reported');
      expect(text).toContain('intelli-mesh config render site.yaml');
      expect(text).toContain('intelli-mesh agent --config');
      expect(text).toContain('docs/deployment.md');
      expect(await p.locator('[data-testid=topology-canvas]').count()).toBe(0);
      await p.close();
    });
  },
);
