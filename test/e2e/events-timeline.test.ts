/// <reference lib="dom" />
/**
 * The events view in headless Chromium on the real demo (simulated mesh, broker, controller,
 * built dashboard): a node killed and restored through the fault API appears on the timeline
 * as down, up and rebooted, marked as seen by the controller; the node and kind filters show
 * only what they select, and a new event arrives live while filtered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo;
let browser: Chromium;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'im-events-e2e-'));

const fault = (body: object) =>
  fetch(`${demo.url}/api/demo/faults`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Every timeline row as [node, kind, source]. */
const rows = (page: Page) =>
  page.$$eval('[data-testid=event-timeline] li', (lis) =>
    lis.map((li) => [
      li.querySelector('.node-link')?.textContent ?? '',
      li.getAttribute('data-kind') ?? '',
      li.getAttribute('data-source') ?? '',
    ]),
  );

describe.skipIf(!chromiumPath)(
  `events view filters${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
        radioNodes: 0,
        mobileClients: 0,
        port: 0,
        nodes: 12,
        seed: 4,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
      });
      const login = await fetch(`${demo.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'e2e-pw' }),
      });
      token = ((await login.json()) as { token: string }).token;
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('filters by node and kind; a killed and restored node shows down, up and reboot', async () => {
      const page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'e2e-pw');
      await page.click('nav a[href="#/events"]');
      await page.waitForSelector('[data-testid=event-timeline] li');

      const victim = 'n5';
      expect((await fault({ action: 'kill-node', node: victim })).status).toBe(202);
      await page.selectOption('select[aria-label="node filter"]', victim);
      await page.selectOption('select[aria-label="kind filter"]', {
        label: 'node up / down / reboot',
      });
      await page.waitForSelector('[data-testid=event-timeline] li[data-kind=node-down]', {
        timeout: 20_000,
      });
      for (const [node, kind, source] of await rows(page)) {
        expect(node).toBe(victim);
        expect(['node-up', 'node-down', 'node-reboot']).toContain(kind);
        expect(source).toBe('controller');
      }
      await expect(
        page.locator('li[data-kind=node-down] .reason').first().textContent(),
      ).resolves.toMatch(/broker session ended/);

      // Restored while the view is filtered: the reboot arrives live.
      expect((await fault({ action: 'restore-node', node: victim })).status).toBe(202);
      await page.waitForSelector('[data-testid=event-timeline] li[data-kind=node-reboot]', {
        timeout: 20_000,
      });
      const kinds = (await rows(page)).map(([, kind]) => kind);
      expect(kinds.slice(0, 3)).toEqual(['node-reboot', 'node-up', 'node-down']);

      // Another kind: the victim's offline alert, opened then closed.
      await page.selectOption('select[aria-label="kind filter"]', {
        label: 'alerts opened / acknowledged / closed',
      });
      await page.waitForSelector('[data-testid=event-timeline] li[data-kind=alert-close]', {
        timeout: 20_000,
      });
      const alertRows = await rows(page);
      expect(alertRows.map(([, kind]) => kind)).toEqual(['alert-close', 'alert-open']);
      expect(new Set(alertRows.map(([node]) => node))).toEqual(new Set([victim]));

      // All nodes again, only WAN state: the agents' own decisions, from several nodes.
      await page.selectOption('select[aria-label="node filter"]', '');
      await page.selectOption('select[aria-label="kind filter"]', { label: 'all kinds' });
      await page.waitForFunction(
        () =>
          new Set(
            Array.from(document.querySelectorAll('[data-testid=event-timeline] .node-link')).map(
              (a) => a.textContent,
            ),
          ).size > 1,
        undefined,
        { timeout: 20_000 },
      );
      const all = await rows(page);
      expect(all.some(([, , source]) => source === 'node')).toBe(true);
      expect(all.some(([, , source]) => source === 'controller')).toBe(true);
      await page.close();
    }, 90_000);
  },
);
