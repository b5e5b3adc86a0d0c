/// <reference lib="dom" />
/**
 * The Upgrades page in headless Chromium against the whole demo (`startDemo`: the simulated mesh
 * whose nodes run the agent's real upgrade service, the embedded broker, the controller serving
 * a fresh build of the dashboard), with the simulated upgrade steps shortened to seconds. An
 * admin checks the form's validation, starts a campaign with the demo's good image from the
 * form and watches each wave's nodes go to `done` live, starts one with the bricking image and
 * sees the canary fail and the rest skipped, sees the controller's refusal beside the field,
 * cancels a running campaign; a viewer gets the form disabled. With UPDATE_SCREENSHOT=1 the
 * stopped campaign's page is saved as docs/upgrades.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IMAGES } from '../../src/demo/demo-images.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

const [GOOD, BRICKS] = DEMO_IMAGES as [(typeof DEMO_IMAGES)[0], (typeof DEMO_IMAGES)[0]];
let demo: RunningDemo;
let browser: Chromium;
const dir = mkdtempSync(join(tmpdir(), 'im-upgrades-e2e-'));
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? resolve(import.meta.dirname, '../../docs/upgrades.png')
  : join(dir, 'upgrades.png');

async function login(username: string, password: string): Promise<Page> {
  const page = await browser.context.newPage();
  await signIn(page, demo.url, username, password);
  return page;
}

/** Fills the form from a demo image and the given nodes, and starts the campaign. */
async function startCampaign(
  page: Page,
  outcome: 'boots' | 'bricks',
  nodes: string[],
  settings: Record<string, string>,
): Promise<string> {
  await page.click('nav a[href="#/upgrades"]');
  await page.locator(`[data-testid=demo-images] tr[data-outcome=${outcome}] button`).click();
  await page.check('[data-testid=target-selected]');
  for (const n of nodes) await page.check(`[data-testid=node-picks] input[data-node="${n}"]`);
  for (const [field, value] of Object.entries(settings))
    await page.fill(`[data-testid=upgrade-${field}]`, value);
  await page.click('[data-testid=upgrade-start]');
  await page.waitForSelector('[data-testid=upgrade-page]');
  return decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
}

const row = (page: Page, node: string) =>
  page.locator(`[data-testid=upgrade-page] tr[data-node="${node}"]`);

async function waitForState(page: Page, node: string, state: string, timeout = 30_000) {
  await page
    .locator(`[data-testid=upgrade-page] tr[data-node="${node}"][data-state=${state}]`)
    .waitFor({
      timeout,
    });
}

describe.skipIf(!chromiumPath)(
  `upgrades in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
        radioNodes: 0,
        mobileClients: 0,
        port: 0,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
        upgradeTiming: {
          downloadKbit: 40_000,
          testMs: 500,
          shutdownMs: 1_000,
          flashMs: 1_000,
          bootMs: 1_500,
        },
      });
      await demo.controller.store.users.create('watcher', 'viewer', 'viewer-pw', Date.now());
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('checks the form before anything is sent', async () => {
      const page = await login('admin', 'e2e-pw');
      await page.click('nav a[href="#/upgrades"]');
      await page.locator('[data-testid=demo-images] tr').first().waitFor();
      expect(await page.locator('[data-testid=demo-images] tr').count()).toBe(3);
      await page.fill('[data-testid=upgrade-image_url]', 'ftp://fw.example/x.bin');
      await page.fill('[data-testid=upgrade-sha256]', 'abc');
      await page.click('[data-testid=upgrade-start]');
      expect(await page.textContent('[data-testid=error-image_url]')).toBe(
        'expected an http:// or https:// URL',
      );
      expect(await page.textContent('[data-testid=error-sha256]')).toContain('64 hex digits');
      expect(await page.textContent('[data-testid=error-version]')).toContain('the version');
      expect(await page.locator('[data-testid=upgrade-start]').isDisabled()).toBe(true);
      // Fixing the fields clears their errors and enables the button again.
      await page.locator('[data-testid=demo-images] tr[data-outcome=boots] button').click();
      expect(await page.locator('[data-testid=error-sha256]').count()).toBe(0);
      expect(await page.locator('[data-testid=upgrade-start]').isDisabled()).toBe(false);
      expect(await demo.controller.store.upgrades.list()).toEqual([]);
      await page.close();
    });

    it('runs a campaign started from the form: the canary, then the wave, live to done', async () => {
      const page = await login('admin', 'e2e-pw');
      const id = await startCampaign(page, 'boots', ['n1', 'n2', 'n3'], {
        wave_size: '2',
        node_timeout_s: '30',
      });
      expect(await page.locator('[data-testid=wave]').allTextContents()).toHaveLength(2);
      // Live, without a reload: the canary reports its steps, then wave 1 follows.
      await page
        .locator('tr[data-node="n1"][data-state=upgrading] [data-testid=node-status]', {
          hasText: /^(accepted|downloading|verified|installing|rebooting)$/,
        })
        .waitFor({ timeout: 10_000 });
      expect(await row(page, 'n2').getAttribute('data-state')).toBe('pending');
      for (const n of ['n1', 'n2', 'n3']) await waitForState(page, n, 'done');
      expect(await row(page, 'n3').locator('[data-testid=node-status]').textContent()).toBe(
        GOOD.version,
      );
      await page.locator('[data-testid=upgrade-page][data-status=done]').waitFor();
      expect(await page.textContent('[data-testid=campaign-progress]')).toContain('3/3 done');
      await page.click('nav a[href="#/upgrades"]');
      await page
        .locator(`tr[data-campaign="${id}"] [data-testid=campaign-status]`, { hasText: 'done' })
        .waitFor();
      await page.close();
    }, 90_000);

    it('stops with a canary that never comes back; the others are skipped', async () => {
      const page = await login('admin', 'e2e-pw');
      await startCampaign(page, 'bricks', ['n4', 'n5', 'n6'], { node_timeout_s: '10' });
      await waitForState(page, 'n4', 'failed', 30_000);
      expect(await row(page, 'n4').locator('[data-testid=node-status]').textContent()).toBe(
        `timeout: did not come back running ${BRICKS.version} within 10 s (last step: rebooting)`,
      );
      for (const n of ['n5', 'n6'])
        expect(await row(page, n).getAttribute('data-state')).toBe('skipped');
      await page.locator('[data-testid=upgrade-page][data-status=stopped]').waitFor();
      expect(await page.textContent('[data-testid=campaign-reason]')).toContain(
        '2 node(s) left untouched',
      );
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await page.close();
    }, 60_000);

    it('shows the controller’s refusal beside the field: a ticked node went offline', async () => {
      const page = await login('admin', 'e2e-pw');
      await page.click('nav a[href="#/upgrades"]');
      await page.locator('[data-testid=demo-images] tr[data-outcome=boots] button').click();
      await page.check('[data-testid=target-selected]');
      await page.check('[data-testid=node-picks] input[data-node="n7"]');
      demo.world.faults.apply({ action: 'kill-node', node: 'n7' });
      await page.locator('[data-testid=node-picks] input[data-node="n7"]:disabled').waitFor();
      await page.click('[data-testid=upgrade-start]');
      await page
        .locator('[data-testid=error-nodes]', { hasText: "nodes[0]: 'n7' is offline" })
        .waitFor();
      demo.world.faults.apply({ action: 'restore-node', node: 'n7' });
      await page.close();
    });

    it('cancels a running campaign: the canary finishes, the rest is left alone', async () => {
      const page = await login('admin', 'e2e-pw');
      await startCampaign(page, 'boots', ['n8', 'n9', 'n10'], { node_timeout_s: '30' });
      await page.click('[data-testid=upgrade-cancel]');
      await page.locator('[data-testid=upgrade-page][data-status=cancelled]').waitFor();
      for (const n of ['n9', 'n10'])
        expect(await row(page, n).getAttribute('data-state')).toBe('skipped');
      await waitForState(page, 'n8', 'done');
      await page.close();
    }, 60_000);

    it('gives a viewer the page with the form disabled', async () => {
      const page = await login('watcher', 'viewer-pw');
      await page.click('nav a[href="#/upgrades"]');
      await page.locator('[data-testid=campaign-list]').waitFor();
      expect(await page.locator('[data-testid=upgrade-start]').isDisabled()).toBe(true);
      expect(await page.locator('[data-testid=upgrade-image_url]').isDisabled()).toBe(true);
      await page.close();
    });
  },
);
