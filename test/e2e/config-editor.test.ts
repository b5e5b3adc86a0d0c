/// <reference lib="dom" />
/**
 * The configuration editor on the real demo in headless Chromium: a demo node's runtime config
 * with human labels and units, number fields that neither turn "cleared" into 0 nor "-5" into 5,
 * and the issues of the shared validator (the node's own, run by the controller) shown next to
 * the field they are about. The site file's VLANs and SSIDs edited in the same view, with the
 * rendered UCI changes per node before anything is applied.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo;
let browser: Chromium;
let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'im-config-e2e-'));
const siteFile = join(dir, 'site.yaml');
copyFileSync(fileURLToPath(new URL('../../examples/site.yaml', import.meta.url)), siteFile);

describe.skipIf(!chromiumPath)(
  `configuration editor in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
        radioNodes: 0,
        mobileClients: 0,
        port: 0,
        nodes: 8,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
        siteFile,
      });
      browser = await launchChromium();
      page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'e2e-pw');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const errorAt = (path: string) => page.locator(`[data-error-for="${path}"]`);

    it('labels settings for people, with units', async () => {
      const gw = demo.world.gatewayNames[0]!;
      await page.goto(`${demo.url}/#/config/${gw}`);
      await page.locator('input[data-path="holdDownMs"]').waitFor();
      const label = (key: string) =>
        page.locator(`label[data-key="${key}"] > span`).first().textContent();
      expect(await label('holdDownMs')).toBe('Hold-down (ms)');
      expect(await label('gwSelClass')).toBe('Gateway selection class');
      expect(await label('intervalMs')).toBe('Probe interval (ms)');
      const shown = await page.$$eval('.config-form label > span:first-child', (els) =>
        els.map((e) => e.textContent),
      );
      expect(shown).not.toContain('holdDownMs');
      expect(shown).not.toContain('gwSelClass');
    });

    it('keeps a cleared number unset and "-5" negative, and shows the issue at the field', async () => {
      const hold = page.locator('input[data-path="holdDownMs"]');
      await hold.fill('');
      await errorAt('holdDownMs').filter({ hasText: 'required' }).waitFor();
      expect(await hold.inputValue()).toBe('');
      expect(await page.locator('[data-testid=config-push]').isDisabled()).toBe(true);

      // Typed key by key: the "-" alone must not turn into 0, nor the result into 5.
      await hold.pressSequentially('-5');
      await errorAt('holdDownMs').filter({ hasText: 'must be at least 0' }).waitFor();
      expect(await hold.inputValue()).toBe('-5');
      await page.getByRole('button', { name: 'JSON' }).click();
      const json = JSON.parse(await page.locator('[data-testid=config-json]').inputValue()) as {
        holdDownMs: unknown;
      };
      expect(json.holdDownMs).toBe(-5);
      await page.getByRole('button', { name: 'Form' }).click();

      const interval = page.locator('input[data-path="trackers.wan.intervalMs"]');
      await interval.fill('0');
      await errorAt('trackers.wan.intervalMs')
        .filter({ hasText: 'must be greater than 0' })
        .waitFor();

      await hold.fill('5000');
      await interval.fill('500');
      await page.waitForSelector('[data-testid=validation][data-ok=true]');
      expect(await page.locator('.config-form .field-error').count()).toBe(0);
      expect(await page.locator('[data-testid=config-push]').isDisabled()).toBe(false);
    });

    it('edits a VLAN of the site file with the UCI diff per node before applying', async () => {
      const gw = demo.world.gatewayNames[0]!;
      await page.goto(`${demo.url}/#/config/${gw}`);
      await page.reload();
      const guestId = page.locator('[data-testid=site-editor] input[data-path="vlans[3].id"]');
      await guestId.waitFor();
      expect(await guestId.inputValue()).toBe('40');
      await guestId.fill('41');
      await page.click('[data-testid=site-preview]');
      const north = page.locator('[data-testid=site-node-diff][data-node=gw-north]');
      await north.locator('pre', { hasText: "'41'" }).waitFor();
      expect(await north.locator('summary').textContent()).toMatch(/\d+ UCI change/);
      expect(readFileSync(siteFile, 'utf8')).toMatch(/name: guest\n\s+id: 40/);

      const mgmtId = page.locator('[data-testid=site-editor] input[data-path="vlans[0].id"]');
      await mgmtId.fill('5000');
      await page.click('[data-testid=site-preview]');
      await page
        .locator('[data-testid=site-editor] [data-error-for="vlans[0].id"]', {
          hasText: 'VLAN id must be 1-4094',
        })
        .waitFor();
      expect(await page.locator('[data-testid=site-apply]').isDisabled()).toBe(true);

      await mgmtId.fill('99');
      await page.click('[data-testid=site-preview]');
      await north.locator('pre', { hasText: "'41'" }).waitFor();
      await page.click('[data-testid=site-apply]');
      await page.locator('[data-testid=site-applied] li[data-node=gw-north]').waitFor();
      expect(readFileSync(siteFile, 'utf8')).toMatch(/name: guest\n\s+id: 41/);
    });
  },
);
