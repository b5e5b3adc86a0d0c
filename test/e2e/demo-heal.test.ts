/// <reference lib="dom" />
/**
 * The whole demo in headless Chromium: the real simulated mesh, broker and controller from
 * `startDemo`, the built dashboard. An admin cuts a gateway's WAN in the fault panel; the
 * overview must show the wan-down alert, and the gateway's former mesh clients must show
 * another gateway as their way to the internet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo;
let browser: Chromium;
const dir = mkdtempSync(join(tmpdir(), 'im-demo-e2e-'));

describe.skipIf(!chromiumPath)(
  `demo heals in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        port: 0,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
      });
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a WAN cut in the fault panel shows as an alert and the clients move', async () => {
      const page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'e2e-pw');
      const victim = 'n5';
      const via = (node: string) =>
        page.locator(`tr[data-node="${node}"] [data-testid=internet-via]`);
      // Wait until the mesh has settled and the dashboard shows someone using the victim.
      await page.waitForFunction(
        (v) =>
          Array.from(document.querySelectorAll('[data-testid=internet-via]')).some(
            (td) => td.textContent === v,
          ),
        victim,
        { timeout: 30_000 },
      );
      const clients = demo.world.nodeNames.filter(
        (n) => demo.world.report(n).gateway.selected === victim,
      );
      expect(clients.length).toBeGreaterThan(0);

      await page.click('nav a[href="#/faults"]');
      await page
        .locator('.fault-row', { hasText: `${victim} / wan` })
        .getByRole('button', { name: 'Cut' })
        .click();
      await page.locator('.notice', { hasText: 'sent' }).waitFor();

      await page.click('nav a[href="#/overview"]');
      await page
        .locator(`li.alert[data-kind="wan-down"][data-node="${victim}"]`)
        .first()
        .waitFor({ timeout: 15_000 });
      for (const c of clients) {
        await page.waitForFunction(
          ([node, v]) => {
            const td = document.querySelector(`tr[data-node="${node}"] [data-testid=internet-via]`);
            return !!td && td.textContent !== v && /^n\d+$/.test(td.textContent ?? '');
          },
          [c, victim] as const,
          { timeout: 15_000 },
        );
        expect(await via(c).textContent()).not.toBe(victim);
      }
      expect(demo.world.faults.active()).toContainEqual(
        expect.objectContaining({ kind: 'wan-cut', target: `${victim}/wan` }),
      );
      await page.close();
    }, 90_000);
  },
);
