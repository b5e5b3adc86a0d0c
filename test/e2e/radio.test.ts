/// <reference lib="dom" />
/**
 * The dashboard's Radio section in headless Chromium, at 1440 × 900 and on a 375 × 667 touch
 * phone: the controller's HTTP app serving a fresh build, its real live feed (WebSocket), and the
 * radio API answered per issue 14's contract by RadioFixture. The node list shows status, "12 s
 * ago", hops, RTT and both gateways of a node two hear; a `radio-node` change on the live feed
 * updates a row without a reload; a node's page shows its RTT history and messages, and ping,
 * scan and send show their results inline (a silent node's ping shows the timeout); a viewer
 * gets no buttons. With UPDATE_SCREENSHOT=1 the pictures are saved in docs/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHub } from '../../src/controller/http/live-hub.ts';
import type { LiveChange } from '../../src/controller/ingest.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import type { RadioLiveChange } from '../../web/src/api/radio-types.ts';
import { apiApp, type ApiApp } from '../controller/api-app.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';
import { RadioFixture } from './radio-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-radio-e2e-'));
const shot = (name: string) =>
  process.env.UPDATE_SCREENSHOT
    ? resolve(import.meta.dirname, '../../docs', name)
    : join(dir, name);

let api: ApiApp;
let url: string;
const hub = new LiveHub();
let desktop: Chromium;
let phone: Chromium;

/** One signed-in page per browser and user, reused across tests (a sign-in costs seconds). */
const pages = new Map<string, Page>();

/** The page of `user` in `browser`, its radio API now answered by `radio`. */
async function open(browser: Chromium, radio: RadioFixture, user = 'admin', pw = 'admin-pw') {
  const key = `${browser === phone ? 'phone' : 'desktop'}:${user}`;
  let page = pages.get(key);
  if (!page) {
    page = await browser.context.newPage();
    await radio.serve(page);
    await signIn(page, url, user, pw);
    pages.set(key, page);
  } else {
    await page.unroute('**/api/radio/**');
    await radio.serve(page);
    // A fresh start of the app, so nothing fetched from the previous fixture remains.
    await page.goto(`${url}/#/overview`);
    await page.reload();
    await page.waitForSelector('[data-testid=live-indicator].on');
  }
  return page;
}

const row = (page: Page, address: number) =>
  page.locator(`[data-testid=radio-nodes] tr[data-address="${address}"]`);

async function settle(page: Page) {
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

describe.skipIf(!chromiumPath)(
  `Radio section in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      api = await apiApp({
        scheduler: new RealScheduler(),
        webRoot: await buildDashboard(),
        live: hub,
      });
      url = await api.listen();
      desktop = await launchChromium();
      phone = await launchChromium(
        { width: 375, height: 667 },
        { hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
      );
      mkdirSync(resolve(shot('radio.png'), '..'), { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await desktop?.close();
      await phone?.close();
      await api?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists the radio nodes with status, last heard, hops, RTT and gateways, and their graph', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(desktop, radio);
      // Desktop keeps its sidebar; the phone's menu button is not shown.
      expect(await page.locator('[data-testid=menu-button]').isVisible()).toBe(false);
      await page.click('nav a[href="#/radio"]');
      await row(page, 2).waitFor();
      const rows = await page.$$eval('[data-testid=radio-nodes] tbody tr', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-address'), tr.getAttribute('data-status')]),
      );
      // The silent node first, then by address.
      expect(rows).toEqual([
        ['6', 'unreachable'],
        ['2', 'reachable'],
        ['3', 'reachable'],
        ['4', 'reachable'],
        ['5', 'reachable'],
      ]);
      // Heard 12 s before the fixture was made (the page may have taken a few seconds since).
      const heard = await row(page, 2).locator('[data-testid=radio-last-heard]').textContent();
      expect(heard).toMatch(/^\d+ s ago$/);
      expect(parseInt(heard!, 10)).toBeGreaterThanOrEqual(12);
      expect(await row(page, 6).locator('[data-testid=radio-last-heard]').textContent()).toBe(
        '1 min ago',
      );
      expect(await row(page, 2).locator('[data-testid=radio-rtt]').textContent()).toBe('31 ms');
      expect(await row(page, 5).locator('td[data-label=Hops]').textContent()).toBe('2');
      // Heard by two gateways: one row naming both.
      expect(await row(page, 4).locator('[data-testid=radio-gateways]').textContent()).toBe(
        'rgw-1, rgw-2',
      );
      expect(await page.textContent('[data-testid=radio-summary]')).toBe('4 / 5 reachable');
      expect(await page.locator('[data-testid=radio-gateway]').count()).toBe(2);
      await page.waitForSelector(
        '[data-testid=radio-graph] [data-testid=topology-canvas][data-nodes="6"][data-links="5"]',
      );
      await settle(page);
      await page.screenshot({ path: shot('radio.png') });
      // A node on the graph opens its page.
      const canvas = page.locator('[data-testid=radio-graph] [data-testid=topology-canvas]');
      const box = (await canvas.boundingBox())!;
      const p = (await canvas.evaluate(
        (el: HTMLElement & { topology?: { screenPosition(id: string): unknown } }) =>
          el.topology!.screenPosition('3'),
      )) as { x: number; y: number };
      await page.mouse.click(box.x + p.x, box.y + p.y);
      await page.waitForFunction(() => location.hash === '#/radio/3');
    });

    it('updates a row when the live feed says a node went silent', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(desktop, radio);
      await page.goto(`${url}/#/radio`);
      await row(page, 5).waitFor();
      expect(await row(page, 5).getAttribute('data-status')).toBe('reachable');
      const five = radio.node(5)!;
      five.status = 'unreachable';
      const change: RadioLiveChange = { type: 'radio-node', node: five };
      hub.broadcast([change as unknown as LiveChange]);
      await page.waitForSelector(
        '[data-testid=radio-nodes] tr[data-address="5"][data-status=unreachable]',
      );
      expect(await page.textContent('[data-testid=radio-summary]')).toBe('3 / 5 reachable');
    });

    it('pings, scans and sends from a node page and shows each result inline', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(desktop, radio);
      await page.goto(`${url}/#/radio/2`);
      await page.waitForSelector('[data-testid=radio-node-page][data-address="2"]');
      expect(await page.textContent('[data-testid=radio-status]')).toBe('reachable');
      expect(await page.textContent('[data-testid=radio-last-rtt]')).toBe('31 ms');
      // The RTT history is drawn, and the node's message is listed.
      await page.waitForSelector('.radio-node-page .uplot canvas');
      await page.waitForSelector('[data-testid=radio-messages] tr[data-direction=from-node]');
      expect(await page.textContent('[data-testid=radio-messages]')).toContain('temp=21.5');

      await page.click('[data-testid=radio-actions] button:has-text("Ping")');
      await page.waitForSelector('[data-testid=ping-result][data-state=ok]');
      expect(await page.textContent('[data-testid=ping-result]')).toBe('42 ms via rgw-1');
      // The page refetched: the new RTT is the node's last.
      await page.waitForFunction(
        () => document.querySelector('[data-testid=radio-last-rtt]')?.textContent === '42 ms',
      );

      await page.fill('[data-testid=radio-actions] input[name=depth]', '2');
      await page.click('[data-testid=radio-actions] button:has-text("Scan")');
      await page.waitForSelector('[data-testid=scan-result][data-state=ok]');
      expect(await page.textContent('[data-testid=scan-result]')).toBe('4 nodes, 3 links');
      await page.waitForSelector(
        '[data-testid=radio-graph] [data-testid=topology-canvas][data-nodes="4"][data-links="3"]',
      );

      await page.fill('[data-testid=radio-actions] input[name=text]', 'led=on');
      await page.click('[data-testid=radio-actions] button:has-text("Send")');
      await page.waitForSelector('[data-testid=send-result][data-state=ok]');
      expect(await page.textContent('[data-testid=send-result]')).toBe('acknowledged');
      await page.waitForSelector('[data-testid=radio-messages] tr[data-direction=to-node]');
      expect(await page.textContent('[data-testid=radio-messages]')).toContain('led=on');

      expect(radio.requests.filter((r) => r.call.startsWith('POST'))).toEqual([
        { call: 'POST /api/radio/nodes/2/ping', body: undefined },
        { call: 'POST /api/radio/nodes/2/scan', body: { depth: 2 } },
        { call: 'POST /api/radio/nodes/2/send', body: { text: 'led=on' } },
      ]);
      await settle(page);
      await page.screenshot({ path: shot('radio-node.png'), fullPage: true });
    });

    it('shows a silent node’s ping timeout as the reason', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(desktop, radio);
      await page.goto(`${url}/#/radio/6`);
      await page.waitForSelector('[data-testid=radio-status]:has-text("unreachable")');
      await page.click('[data-testid=radio-actions] button:has-text("Ping")');
      await page.waitForSelector('[data-testid=ping-result][data-state=failed]');
      const text = await page.textContent('[data-testid=ping-result]');
      expect(text).toContain('did not answer within 2000 ms');
      expect(text).toContain('504');
    });

    it('gives a viewer the facts but no buttons', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(desktop, radio, 'watcher', 'viewer-pw');
      await page.goto(`${url}/#/radio/2`);
      await page.waitForSelector('[data-testid=radio-viewer-note]');
      expect(await page.locator('[data-testid=radio-actions]').count()).toBe(0);
      expect(await page.locator('.radio-node-page button').count()).toBe(0);
    });

    it('reflows the list into cards and keeps the actions usable on a phone', async () => {
      const radio = new RadioFixture(Date.now());
      const page = await open(phone, radio);
      await page.goto(`${url}/#/radio`);
      await row(page, 2).waitFor();
      const fits = () => page.evaluate(() => document.scrollingElement!.scrollWidth <= 375);
      expect(await fits()).toBe(true);
      // One card per node: no header row, each value under its column's name.
      expect(await page.locator('[data-testid=radio-nodes] thead').isVisible()).toBe(false);
      const label = await row(page, 2)
        .locator('[data-testid=radio-rtt]')
        .evaluate((td) => getComputedStyle(td, '::before').content);
      expect(label).toBe('"RTT"');
      const card = (await row(page, 2).boundingBox())!;
      expect(card.width).toBeLessThanOrEqual(375);
      // Two values abreast: hops and RTT on one line of the card.
      const hops = (await row(page, 2).locator('td[data-label=Hops]').boundingBox())!;
      const rtt = (await row(page, 2).locator('[data-testid=radio-rtt]').boundingBox())!;
      expect(rtt.y).toBe(hops.y);
      expect(rtt.x).toBeGreaterThan(hops.x + hops.width);
      await settle(page);
      await page.screenshot({ path: shot('radio-phone.png') });

      await row(page, 2).locator('a').tap();
      await page.waitForSelector('[data-testid=radio-node-page][data-address="2"]');
      await page.locator('[data-testid=radio-actions] button:has-text("Ping")').tap();
      await page.waitForSelector('[data-testid=ping-result][data-state=ok]');
      expect(await fits()).toBe(true);
      await page.screenshot({ path: shot('radio-node-phone.png') });
    });
  },
);
