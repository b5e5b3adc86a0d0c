/// <reference lib="dom" />
/**
 * Staleness and cut WANs in headless Chromium, on the whole demo (real broker, controller,
 * simulated mesh, built dashboard): a killed gateway's page and the overview show its state as
 * last known ("as of", greyed), never as live, and count its WAN as not up; a cut WAN's card
 * says it has no latency and 100% loss, not the figures from before the cut.
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
const dir = mkdtempSync(join(tmpdir(), 'im-stale-e2e-'));

async function waitForText(p: Page, selector: string, text: string, timeout = 20_000) {
  try {
    await p.waitForFunction(
      ([sel, t]) =>
        Array.from(document.querySelectorAll(sel!)).some((e) => e.textContent?.includes(t!)),
      [selector, text],
      { timeout },
    );
  } catch {
    const seen = await p.$$eval(selector, (els) => els.map((e) => e.textContent));
    throw new Error(
      `'${text}' not in ${selector} within ${timeout} ms; saw ${JSON.stringify(seen)}`,
    );
  }
}

describe.skipIf(!chromiumPath)(
  `stale state and cut WANs in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      // 12 nodes: gateways n0 (wan + lte), n3 (wan), n8 (wan), n11 (wan + lte): 6 WANs.
      demo = await startDemo({
        // Neither the radio mesh nor walking clients are looked at here: a smaller demo boots faster.
        radioNodes: 0,
        mobileClients: 0,
        port: 0,
        nodes: 12,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
        stateEveryMs: 500,
      });
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a killed gateway reads as last known, and a cut WAN as cut', async () => {
      const page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'e2e-pw');
      await waitForText(page, '[data-testid=kpi-wans]', '6 / 6', 40_000);

      // The real balance: n0's traffic is measured on both its WANs.
      await page.waitForSelector(
        '[data-testid=traffic-now][data-node=n0] .seg[data-wan=wan] + .seg[data-wan=lte]',
        { timeout: 30_000 },
      );

      // Kill the gateway n3 (its one WAN was up).
      demo.world.faults.apply({ action: 'kill-node', node: 'n3' });
      await waitForText(page, '[data-testid=kpi-wans]', '1 on an offline node');
      expect(await page.locator('[data-testid=kpi-wans] .kpi-value').textContent()).toBe('5 / 6');
      const row = page.locator('[data-testid=wan-distribution] .dist-row[data-node=n3]');
      await waitForText(page, '[data-testid=wan-distribution] .dist-row[data-node=n3]', 'as of');
      expect(await row.getAttribute('class')).toContain('last-known');
      expect(await row.textContent()).toContain('offline: carries no traffic');
      expect(await page.locator('tr[data-node=n3]').getAttribute('class')).toContain('last-known');

      await page.goto(`${demo.url}/#/nodes/n3`);
      await waitForText(page, '[data-testid=state-age]', 'Last known state');
      expect(await page.locator('[data-testid=state-age]').textContent()).toMatch(
        /as of \d\d:\d\d:\d\d/,
      );
      const gateway = await page.locator('[data-testid=gateway-fact] .fact-value').textContent();
      expect(gateway).toMatch(/^announcing .*\(last known, as of \d\d:\d\d:\d\d\)$/);
      const wan = page.locator('.card.wan[data-wan=wan] [data-testid=wan-facts]');
      expect(await wan.textContent()).toContain('was carrying traffic');
      expect(await wan.textContent()).not.toMatch(/^carrying traffic/);
      expect(await page.locator('.wan-grid').getAttribute('class')).toContain('last-known');

      // Cut n8's only WAN: its card must not keep the figures from before the cut.
      await page.goto(`${demo.url}/#/nodes/n8`);
      const card = page.locator('.card.wan[data-wan=wan] [data-testid=wan-facts]');
      await waitForText(
        page,
        '.card.wan[data-wan=wan] [data-testid=wan-facts]',
        'carrying traffic',
      );
      expect(await card.textContent()).toMatch(/latency \d+ ms/);
      demo.world.faults.apply({ action: 'cut-wan', node: 'n8', wan: 'wan' });
      await waitForText(page, '.card.wan[data-wan=wan] .pill', 'down');
      await waitForText(page, '.card.wan[data-wan=wan] [data-testid=wan-facts]', 'loss 100%');
      const facts = (await card.textContent())!;
      expect(facts).toContain('latency no reply');
      expect(facts).not.toMatch(/latency \d+ ms/);
      expect(facts).not.toContain('loss 0%');
      await page.close();
    }, 120_000);
  },
);
