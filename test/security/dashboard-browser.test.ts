/// <reference lib="dom" />
/**
 * Issue 12 in real Chromium: the built dashboard runs under the controller's Content Security
 * Policy with no violation on any page (login, live feed over a ticket, every view), and an
 * admin manages users on the Users page, which viewers do not get.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeState } from '../../src/mqtt/messages.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium } from '../e2e/browser.ts';
import { buildDashboard } from '../e2e/build-dashboard.ts';
import { startHttpController, type HttpController } from './http-controller.ts';

const state = (node: string, at: number): NodeState => ({
  node,
  at,
  uptime_s: 1,
  role: 'gateway',
  wans: [{ name: 'wan', kind: 'ethernet', state: 'up', active: true, latency_ms: 9 }],
  gateway: { announcing: true, bandwidth_down_kbit: 1000, bandwidth_up_kbit: 100, selected: null },
  neighbours: [],
});

declare global {
  interface Window {
    cspViolations: string[];
  }
}

describe.skipIf(!chromiumPath)(
  `dashboard security in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    let ctl: HttpController;
    let browser: Chromium;
    const consoleErrors: string[] = [];

    async function newPage(): Promise<Page> {
      const page = await browser.context.newPage();
      // Recorded from the first script on, before the dashboard's own.
      await page.addInitScript(() => {
        window.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      return page;
    }

    async function login(page: Page, username: string, password: string) {
      await page.goto(ctl.url);
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', password);
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=live-indicator].on', { timeout: 20_000 });
    }

    beforeAll(async () => {
      const webRoot = await buildDashboard();
      ctl = await startHttpController({ webRoot });
      await ctl.ingest.acceptBatch([
        {
          topic: nodeTopic('lab', 'gw-1', 'state'),
          payload: Buffer.from(JSON.stringify(state('gw-1', ctl.scheduler.now()))),
        },
      ]);
      await ctl.store.users.create('watcher', 'viewer', 'viewer-pw-1', ctl.scheduler.now());
      browser = await launchChromium();
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await ctl?.close();
    });

    it('runs every page under the CSP without a single violation', async () => {
      const page = await newPage();
      const response = await page.goto(ctl.url);
      expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
      await login(page, 'admin', 'admin-pw-1');
      for (const view of [
        'overview',
        'topology',
        'nodes',
        'nodes/gw-1',
        'positions',
        'alerts',
        'events',
        'config',
        'upgrades',
        'users',
      ]) {
        await page.evaluate((v) => (location.hash = `#/${v}`), view);
        await page.waitForSelector('.content h1', { timeout: 10_000 });
      }
      // The live feed came up through a ticket, not a token in the URL.
      expect(await page.getAttribute('[data-testid=live-indicator]', 'class')).toContain('on');
      expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
      expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
      await page.close();
    }, 120_000);

    it('lets an admin add a user and change a role on the Users page', async () => {
      const page = await newPage();
      await login(page, 'admin', 'admin-pw-1');
      await page.click('nav a[href="#/users"]');
      await page.waitForSelector('[data-testid=users-table] tr[data-user=watcher]');
      await page.fill('input[name=new-username]', 'nightshift');
      await page.selectOption('select[name=new-role]', 'operator');
      await page.fill('input[name=new-password]', 'nightshift-pw-1');
      await page.click('[data-testid=add-user] button[type=submit]');
      await page.waitForSelector('[data-testid=users-table] tr[data-user=nightshift]', {
        timeout: 20_000,
      });
      expect((await ctl.store.users.get('nightshift'))?.role).toBe('operator');
      await page.selectOption('select[aria-label="role of watcher"]', 'operator');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=users-message]')?.textContent?.includes('done'),
        undefined,
        { timeout: 20_000 },
      );
      expect((await ctl.store.users.get('watcher'))?.role).toBe('operator');
      // The new user logs in with the password the admin gave.
      await ctl.login('nightshift', 'nightshift-pw-1');
      expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
      await page.close();
    }, 120_000);

    it('shows no Users page to anyone but admins', async () => {
      await ctl.store.users.create('reader', 'viewer', 'reader-pw-1', ctl.scheduler.now());
      const page = await newPage();
      await login(page, 'reader', 'reader-pw-1');
      expect(await page.locator('nav a[href="#/users"]').count()).toBe(0);
      await page.evaluate(() => (location.hash = '#/users'));
      await page.waitForSelector('text=Only admins manage users.');
      await page.close();
    }, 120_000);
  },
);
