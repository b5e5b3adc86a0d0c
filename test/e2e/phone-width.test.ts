/// <reference lib="dom" />
/**
 * The whole dashboard on a phone (375 × 667, touch, in headless Chromium) against the whole demo
 * (`startDemo`: simulated mesh, embedded broker, controller serving a fresh build): no page is
 * wider than the screen, the navigation folds behind a menu button, wide tables scroll inside
 * their card with the first column held while the radio list reflows into cards, and the
 * topology pans with one finger, zooms with a pinch and opens a node on a tap. With
 * UPDATE_SCREENSHOT=1 the overview and the open menu are saved as docs/phone.png and
 * docs/phone-menu.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

const PHONE = { width: 375, height: 667 };
const dir = mkdtempSync(join(tmpdir(), 'im-phone-e2e-'));
const shot = (name: string) =>
  process.env.UPDATE_SCREENSHOT
    ? resolve(import.meta.dirname, '../../docs', name)
    : join(dir, name);

let demo: RunningDemo;
let browser: Chromium;
let page: Page;

/** Every page of the dashboard, with what shows once its data is in. */
const ROUTES: { hash: string; ready: string }[] = [
  { hash: '#/overview', ready: '[data-testid=kpis]' },
  { hash: '#/topology', ready: '[data-testid=link-table] tr[data-link]' },
  { hash: '#/nodes', ready: '[data-testid=nodes-table] tr[data-node]' },
  { hash: '#/nodes/n1', ready: '[data-testid=node-page] [data-testid=neighbours]' },
  { hash: '#/positions', ready: '[data-testid=positions]' },
  { hash: '#/radio', ready: '[data-testid=radio-nodes] tr[data-address]' },
  { hash: '#/radio/4', ready: '[data-testid=radio-node-page] [data-testid=radio-actions]' },
  { hash: '#/alerts', ready: '[data-testid=alert-list], .content .card .empty' },
  { hash: '#/events', ready: '[data-testid=event-timeline] li' },
  { hash: '#/config', ready: 'fieldset input[data-path]' },
  { hash: '#/config/n1', ready: 'fieldset input[data-path]' },
  { hash: '#/upgrades', ready: '[data-testid=upgrade-plan]' },
  { hash: '#/faults', ready: '.fault-row' },
  { hash: '#/users', ready: '[data-testid=users-table] tr' },
];

/** How much wider than the viewport the page is (0: it fits), and the widest culprits. */
async function overflow(p: Page): Promise<{ by: number; culprits: string[] }> {
  // Against the phone's width, not innerWidth: a mobile browser zooms out to fit a wide page,
  // which makes innerWidth grow with the very overflow being measured.
  return p.evaluate((vw) => {
    const by = document.scrollingElement!.scrollWidth - vw;
    const culprits = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > vw + 0.5)
      .filter((e) => !e.closest('.sidebar'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${e.getBoundingClientRect().right})`);
    return { by, culprits };
  }, PHONE.width);
}

/** A pinch or a drag with real touch points, as a phone's screen sends them. */
async function touch(
  cdp: CDPSession,
  from: { x: number; y: number }[],
  to: { x: number; y: number }[],
  steps = 8,
) {
  const at = (t: number) =>
    from.map((f, i) => ({
      x: f.x + (to[i]!.x - f.x) * t,
      y: f.y + (to[i]!.y - f.y) * t,
      id: i,
    }));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0) });
  for (let s = 1; s <= steps; s++)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(s / steps) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe.skipIf(!chromiumPath)(
  `dashboard at phone width${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        port: 0,
        nodes: 12,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'phone-pw',
      });
      browser = await launchChromium(PHONE, {
        hasTouch: true,
        isMobile: true,
        deviceScaleFactor: 2,
      });
      page = await browser.context.newPage();
      // A dead node: the fault panel and the alert list have rows to fit on the screen too.
      demo.world.faults.apply({ action: 'kill-node', node: 'n7' });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('fits the login page on the screen', async () => {
      await page.goto(demo.url);
      await page.waitForSelector('input[name=username]');
      expect(await overflow(page)).toEqual({ by: 0, culprits: [] });
    });

    it('has no page wider than the phone', async () => {
      await signIn(page, demo.url, 'admin', 'phone-pw');
      const wide: string[] = [];
      for (const r of ROUTES) {
        await page.evaluate((h) => (location.hash = h), r.hash);
        await page.waitForSelector(r.ready, { timeout: 15_000 });
        // Let the charts and the canvas take their size from the laid-out page.
        await page.evaluate(
          () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
        );
        const o = await overflow(page);
        if (o.by > 0) wide.push(`${r.hash}: ${o.by}px too wide: ${o.culprits.join(', ')}`);
        if (r.hash === '#/overview') {
          mkdirSync(resolve(shot('phone.png'), '..'), { recursive: true });
          await page.screenshot({ path: shot('phone.png') });
        }
      }
      expect(wide).toEqual([]);
    });

    it('folds the navigation behind a menu button', async () => {
      await page.evaluate(() => (location.hash = '#/overview'));
      const nodesLink = page.locator('nav a[href="#/nodes"]');
      const menu = page.locator('[data-testid=menu-button]');
      expect(await menu.isVisible()).toBe(true);
      expect(await nodesLink.isVisible()).toBe(false);
      await menu.tap();
      await nodesLink.waitFor({ state: 'visible' });
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.screenshot({ path: shot('phone-menu.png') });
      // A tap beside the menu closes it; a link in it opens its page and closes it.
      await page.touchscreen.tap(360, 400);
      await nodesLink.waitFor({ state: 'hidden' });
      await menu.tap();
      await nodesLink.waitFor({ state: 'visible' });
      await nodesLink.tap();
      await page.waitForFunction(() => location.hash === '#/nodes');
      await nodesLink.waitFor({ state: 'hidden' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
    });

    it('scrolls a wide table inside its card with the first column held', async () => {
      await page.evaluate(() => (location.hash = '#/nodes'));
      const table = page.locator('[data-testid=nodes-table]');
      await table.locator('tr[data-node]').first().waitFor();
      const m = await table.evaluate((t) => ({
        scroll: t.scrollWidth,
        client: t.clientWidth,
        sticky: getComputedStyle(t.querySelector('tbody td')!).position,
      }));
      expect(m.scroll).toBeGreaterThan(m.client);
      expect(m.sticky).toBe('sticky');
      // Scrolled sideways, the node's name stays where it was.
      const name = table.locator('tbody tr td').first();
      const before = (await name.boundingBox())!.x;
      await table.evaluate((t) => (t.scrollLeft = 200));
      expect(await table.evaluate((t) => t.scrollLeft)).toBeGreaterThan(0);
      expect((await name.boundingBox())!.x).toBe(before);
    });

    it('pans the topology with one finger, zooms it with a pinch and opens a node on a tap', async () => {
      await page.evaluate(() => (location.hash = '#/topology'));
      const canvas = page.locator('[data-testid=topology-canvas]');
      await canvas.waitFor();
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      type Host = HTMLElement & { topology?: { screenPosition(id: string): unknown } };
      const pos = (id: string) =>
        canvas.evaluate((el: Host, n) => el.topology!.screenPosition(n), id) as Promise<{
          x: number;
          y: number;
        }>;
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid=topology-canvas]') as Host | null;
        return el?.topology?.screenPosition('n1') != null;
      });
      const cdp = await page.context().newCDPSession(page);
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;

      const a0 = await pos('n1');
      await touch(cdp, [{ x: cx, y: cy }], [{ x: cx + 60, y: cy + 40 }]);
      const a1 = await pos('n1');
      expect(a1.x - a0.x).toBeCloseTo(60, 0);
      expect(a1.y - a0.y).toBeCloseTo(40, 0);
      // The page itself did not scroll under the finger.
      expect(await page.evaluate(() => window.scrollX)).toBe(0);

      const b0 = await pos('n2');
      const spread0 = Math.hypot(b0.x - a1.x, b0.y - a1.y);
      await touch(
        cdp,
        [
          { x: cx - 30, y: cy },
          { x: cx + 30, y: cy },
        ],
        [
          { x: cx - 90, y: cy },
          { x: cx + 90, y: cy },
        ],
      );
      const a2 = await pos('n1');
      const b2 = await pos('n2');
      // The fingers spread three times as far apart: the graph grows as much.
      expect(Math.hypot(b2.x - a2.x, b2.y - a2.y) / spread0).toBeCloseTo(3, 0);

      // A tap on a node (one still on the canvas after the zoom) opens its page.
      const names = Array.from({ length: 12 }, (_, i) => `n${i + 1}`);
      let tapped: string | undefined;
      for (const n of names) {
        const p = await pos(n);
        if (p.x > 20 && p.x < box.width - 20 && p.y > 20 && p.y < box.height - 20) {
          await page.touchscreen.tap(box.x + p.x, box.y + p.y);
          tapped = n;
          break;
        }
      }
      expect(tapped).toBeDefined();
      await page.waitForFunction((n) => location.hash === `#/nodes/${n}`, tapped);
    });
  },
);
