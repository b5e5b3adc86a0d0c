/**
 * Link health in the dashboard, on the real demo (embedded broker, controller, 24 simulated
 * nodes over MQTT, real time) in headless Chromium: a link degraded to 60 % loss through the
 * fault API turns red in the topology's link table within 10 s and raises a "degraded" alert
 * that the alerts page lists; after the restore the alert closes and the link is green again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LINK_RULE } from '../../src/controller/rules/alert-rule-options.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo | undefined;
let browser: Chromium | undefined;
let page: Page;

const row = (status: string) =>
  `[data-testid=link-table] tr[data-link="n3|n4"][data-status=${status}]`;

describe.skipIf(!chromiumPath)(
  `link health in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const webRoot = await buildDashboard();
      demo = await startDemo({
        // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
        radioNodes: 0,
        mobileClients: 0,
        port: 0,
        dbPath: join(mkdtempSync(join(tmpdir(), 'im-link-')), 'demo.db'),
        adminPassword: 'admin-pw',
        webRoot,
      });
      browser = await launchChromium();
      page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'admin-pw');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
    });

    it('turns a degraded link red within 10 s and lists its alert; clears both after the restore', async () => {
      await page.goto(`${demo!.url}/#/topology`);
      await page.waitForSelector(row('good'), { timeout: 60_000 });
      // A just-booted node's links are not judged (their TQ is still climbing): degrade the link
      // once both ends are past that grace, as a link of a settled mesh.
      const settled = () =>
        ['n3', 'n4'].every(
          (n) => demo!.world.report(n).uptime_s * 1000 >= DEFAULT_LINK_RULE.bootGraceMs + 1_000,
        );
      const settleBy = Date.now() + 60_000;
      while (!settled() && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 200));
      expect(settled(), 'n3 and n4 past the boot grace').toBe(true);

      const t0 = Date.now();
      demo!.world.faults.apply({ action: 'degrade-link', a: 'n3', b: 'n4', loss: 0.6 });
      await page.waitForSelector(row('bad'), { timeout: 10_000 });
      const loss = await page.$eval(`${row('bad')} td:nth-child(3)`, (td) => td.textContent);
      expect(Number.parseInt(loss ?? '', 10)).toBeGreaterThanOrEqual(30);
      // The alert, as the controller opened it. Its 10 s bound is checked on simulated time
      // (test/demo/link-alert.test.ts); in real time on a loaded machine the simulator's pacing
      // and the 2 s state reports add to it (11.4 s seen once with 8 test runs on 2 CPUs).
      const store = demo!.controller.store;
      const deadline = t0 + 15_000;
      let alert = (await store.alerts.listOpen()).find((a) => a.key === 'link-degraded:n3|n4');
      while (!alert && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        alert = (await store.alerts.listOpen()).find((a) => a.key === 'link-degraded:n3|n4');
      }
      expect(alert, 'link-degraded alert').toBeDefined();
      expect(alert!.opened_at - t0).toBeLessThanOrEqual(15_000);
      await page.goto(`${demo!.url}/#/alerts`);
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('[data-testid=alert-list] li')).some((li) =>
            li.textContent?.includes('Link n3–n4 is degraded'),
          ),
        undefined,
        { timeout: 10_000 },
      );

      demo!.world.faults.apply({ action: 'restore-link', a: 'n3', b: 'n4' });
      await page.goto(`${demo!.url}/#/topology`);
      await page.waitForSelector(row('good'), { timeout: 60_000 });
      // The alert closes once the link has been good for its close hold.
      const openLinkAlerts = async () =>
        (await demo!.controller.store.alerts.listOpen()).filter((a) => a.kind === 'link-degraded');
      const until = Date.now() + 30_000;
      while ((await openLinkAlerts()).length > 0 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 200));
      expect(await openLinkAlerts()).toEqual([]);
    }, 180_000);
  },
);
