/// <reference lib="dom" />
/**
 * The dashboard end to end in headless Chromium: a real broker, the real controller serving the
 * freshly built dashboard, and fake nodes publishing over MQTT. An operator logs in, sees the
 * site and its topology, watches a WAN failure raise an alert and re-route a mesh node, sees a
 * dead node's links on the topology, acknowledges an alert, and pushes a configuration through
 * the editor until the node confirms it. A viewer sees admin actions disabled; a stale token
 * goes back to the login page.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import type { EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';
import { CONTROLLER_PASSWORD, FakeSite, SITE, startSiteBroker } from './fake-site.ts';

const scheduler = new RealScheduler();
/** The README's picture is refreshed only on request, so a test run leaves the tree clean. */
const SCREENSHOT = process.env.UPDATE_SCREENSHOT
  ? resolve(import.meta.dirname, '../../docs/dashboard.png')
  : join(mkdtempSync(join(tmpdir(), 'im-shot-')), 'dashboard.png');

let broker: EmbeddedBroker;
let ctl: RunningController;
let site: FakeSite;
let browser: Chromium;
let page: Page;

async function login(p: Page, username: string, password: string): Promise<void> {
  await signIn(p, ctl.url, username, password);
}

/** Waits until the element's text contains `text`; fails with what it last saw. */
async function waitForText(p: Page, selector: string, text: string, timeout = 10_000) {
  try {
    await p.waitForFunction(
      ([sel, t]) =>
        Array.from(document.querySelectorAll(sel!)).some((e) => e.textContent?.includes(t!)),
      [selector, text],
      { timeout },
    );
  } catch {
    const seen = await p.$$eval(selector, (els) => els.map((e) => e.textContent));
    throw new Error(`no ${selector} with text '${text}'; saw ${JSON.stringify(seen)}`);
  }
}

describe.skipIf(!chromiumPath)(
  `dashboard in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const webRoot = await buildDashboard();
      broker = await startSiteBroker();
      ctl = await startController({
        site: SITE,
        dbPath: join(mkdtempSync(join(tmpdir(), 'im-dash-')), 'controller.db'),
        mqttUrl: broker.url,
        mqttPassword: CONTROLLER_PASSWORD,
        scheduler,
        port: 0,
        adminPassword: 'admin-pw',
        webRoot,
        // The controller's own check before a push: VLAN ids must be 802.1Q ids.
        validatePush: (_node, config) =>
          ((config as { vlans?: { id: number }[] }).vlans ?? []).flatMap((v, i) =>
            Number.isInteger(v.id) && v.id >= 1 && v.id <= 4094
              ? []
              : [{ path: `vlans[${i}].id`, message: 'must be a VLAN id, 1 to 4094' }],
          ),
      });
      await ctl.store.users.create('watcher', 'viewer', 'viewer-pw', scheduler.now());
      site = await FakeSite.start(broker.url, scheduler);
      await site.publishAll();
      // gw-1's agent reports the configuration it runs (retained); the editor starts from it.
      for (let i = 0; i < 250 && !(await ctl.store.nodes.config('gw-1')); i++) {
        await new Promise<void>((r) => scheduler.after(20, r));
      }
      expect((await ctl.store.nodes.config('gw-1'))?.version).toBe('v1');
      browser = await launchChromium();
      page = await browser.context.newPage();
    });

    afterAll(async () => {
      await browser?.close();
      await site?.close();
      await ctl?.close();
      await broker?.close();
    });

    it('logs in and shows the overview and the live topology', async () => {
      await login(page, 'admin', 'admin-pw');
      await waitForText(page, '[data-testid=kpi-nodes]', '3 / 3');
      await waitForText(page, '[data-testid=kpi-gateways]', '2 / 2');
      await waitForText(page, '[data-testid=kpi-wans]', '3 / 3');
      await page.waitForSelector('[data-testid=topology-canvas][data-nodes="3"][data-links="3"]');
      // The topology is drawn into a real canvas of the panel's size.
      const canvases = await page.$$eval('[data-testid=topology-canvas] canvas', (cs) =>
        cs.map((c) => (c as HTMLCanvasElement).width),
      );
      expect(canvases.length).toBeGreaterThan(0);
      expect(Math.max(...canvases)).toBeGreaterThan(200);
      // Clicking a node on the topology opens its page.
      const topology = page.locator('[data-testid=topology-canvas]');
      await topology.scrollIntoViewIfNeeded();
      const box = (await topology.boundingBox())!;
      const mesh3 = (await topology.evaluate(
        (el: HTMLElement & { topology?: { screenPosition(id: string): unknown } }) =>
          el.topology?.screenPosition('mesh-3'),
      )) as { x: number; y: number };
      await page.mouse.click(box.x + mesh3.x, box.y + mesh3.y);
      await page.waitForFunction(() => location.hash === '#/nodes/mesh-3');
      await page.goBack();
      await page.waitForSelector('[data-testid=topology-canvas][data-nodes="3"]');
      await waitForText(
        page,
        '[data-testid=nodes-table] tr[data-node=mesh-3] [data-testid=internet-via]',
        'gw-1',
      );
    });

    it('shows a WAN failure as an alert, a re-route and the agents reasons', async () => {
      await site.cutGw1Wans();
      await waitForText(
        page,
        '[data-testid=alert-list] li[data-kind=wan-down]',
        'WAN wan on gw-1 is down',
      );
      await waitForText(
        page,
        '[data-testid=alert-list] li[data-kind=gateway-withdrawn]',
        'gw-1 stopped announcing',
      );
      await waitForText(page, '[data-testid=kpi-wans]', '1 / 3');
      await waitForText(page, '[data-testid=kpi-gateways]', '1 / 2');
      await waitForText(page, 'tr[data-node=mesh-3] [data-testid=internet-via]', 'gw-2');
      await waitForText(
        page,
        '[data-testid=event-timeline] li[data-kind=gateway-selected]',
        'gw-1 withdrew its gateway announcement',
      );
      // Let the topology paint the latest graph (it draws on animation frames) before the picture.
      await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
      );
      mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      await page.goto(`${ctl.url}/#/nodes/mesh-3`);
      await waitForText(page, '[data-testid=selected-gateway]', 'gw-2');
    });

    it('marks a dead node and its links on the topology', async () => {
      await page.goto(`${ctl.url}/#/topology`);
      await page.waitForSelector(
        '[data-testid=link-table] tr[data-link="gw-2|mesh-3"][data-status=warn]',
      );
      // After the WAN failure, mesh-3's internet traffic takes the link to gw-2.
      await page.waitForSelector(
        '[data-testid=link-table] tr[data-link="gw-2|mesh-3"][data-uplink-of="mesh-3"]',
      );
      await page.waitForSelector(
        '[data-testid=link-table] tr[data-link="gw-1|mesh-3"][data-uplink-of=""]',
      );
      site.killGw2();
      await page.waitForSelector(
        '[data-testid=link-table] tr[data-link="gw-2|mesh-3"][data-status=down]',
      );
      await page.waitForSelector(
        '[data-testid=link-table] tr[data-link="gw-1|gw-2"][data-status=down]',
      );
      await page.goto(`${ctl.url}/#/overview`);
      await waitForText(page, '[data-testid=kpi-nodes]', '2 / 3');
      await waitForText(page, 'tr[data-node=gw-2]', 'offline');
    });

    it('lets an admin acknowledge an alert', async () => {
      await page.goto(`${ctl.url}/#/alerts`);
      const row = page.locator('[data-testid=alert-list] li[data-kind=wan-down]').first();
      await row.getByRole('button', { name: 'Acknowledge' }).click();
      await waitForText(page, '[data-testid=alert-list] li[data-kind=wan-down]', 'ack by admin');
    });

    it('validates a configuration, previews the diff, pushes it and sees it confirmed', async () => {
      await page.goto(`${ctl.url}/#/config/gw-1`);
      const weight = page.locator('input[data-path="members[0].weight"]');
      await weight.waitFor();
      expect(await weight.inputValue()).toBe('3');
      await weight.fill('5');
      await waitForText(page, '[data-testid=pending-changes]', '1 pending change');
      await page.locator('input[data-path="vlans[1].id"]').fill('31');
      await expect(page.locator('[data-testid=config-push]').isDisabled()).resolves.toBe(true);
      await page.click('[data-testid=config-validate]');
      await page.waitForSelector('[data-testid=validation][data-ok=true]');
      const diff = await page.$$eval('[data-testid=config-diff] tbody tr', (rows) =>
        rows.map((r) => [
          r.getAttribute('data-path'),
          r.querySelector('.from')?.textContent,
          r.querySelector('.to')?.textContent,
        ]),
      );
      expect(diff).toEqual([
        ['members[0].weight', '3', '5'],
        ['vlans[1].id', '30', '31'],
      ]);
      await page.fill('[data-testid=config-version]', 'v3-ui');
      await page.click('[data-testid=config-push]');
      await page.waitForSelector(
        '[data-testid=push-table] tr[data-version=v3-ui][data-status=confirmed]',
      );
      expect(site.transaction.current.version).toBe('v3-ui');
      expect(site.applied.at(-1)?.members[0]?.weight).toBe(5);
      expect(site.applied.at(-1)?.vlans[1]?.id).toBe(31);
      // The node reports what it now runs, and the editor starts from that.
      await waitForText(page, '.config-view .page-head', 'running v3-ui');
      expect(await page.locator('input[data-path="members[0].weight"]').inputValue()).toBe('5');
    });

    it('shows the controller refusing a configuration before any push', async () => {
      await page.goto(`${ctl.url}/#/config/gw-1`);
      const vlan = page.locator('input[data-path="vlans[0].id"]');
      await vlan.waitFor();
      await vlan.fill('5000');
      await page.click('[data-testid=config-validate]');
      await page.waitForSelector('[data-testid=validation][data-ok=false]');
      await waitForText(
        page,
        '[data-testid=validation] .issues',
        'vlans[0].id: must be a VLAN id, 1 to 4094',
      );
      expect(await page.locator('[data-testid=config-push]').isDisabled()).toBe(true);
    });

    it('shows a node refusing a configuration the controller let through', async () => {
      await page.goto(`${ctl.url}/#/config/gw-1`);
      // Same hash as before: reload so the editor starts again from the running config.
      await page.reload();
      const weight = page.locator('input[data-path="members[1].weight"]');
      await weight.waitFor();
      await weight.fill('0');
      await page.click('[data-testid=config-validate]');
      await page.waitForSelector('[data-testid=validation][data-ok=true]');
      await page.fill('[data-testid=config-version]', 'v4-bad');
      await page.click('[data-testid=config-push]');
      await page.waitForSelector(
        '[data-testid=push-table] tr[data-version=v4-bad][data-status=rejected]',
      );
      expect(site.transaction.current.version).toBe('v3-ui');
      // What the node found wrong, not only how many things.
      await waitForText(page, '[data-testid=push-issues]', 'members.1.weight: must be 1..1000');
    });

    it('gives a viewer no admin actions', async () => {
      // sessionStorage is per tab, so a new tab starts logged out.
      const p = await browser.context.newPage();
      await login(p, 'watcher', 'viewer-pw');
      await p.goto(`${ctl.url}/#/alerts`);
      await p.waitForSelector('[data-testid=alert-list] li');
      const ackButtons = p.getByRole('button', { name: 'Acknowledge' });
      expect(await ackButtons.count()).toBeGreaterThan(0);
      for (const b of await ackButtons.all()) expect(await b.isDisabled()).toBe(true);
      await p.goto(`${ctl.url}/#/config/gw-1`);
      await p.locator('input[data-path="members[0].weight"]').waitFor();
      expect(await p.locator('input[data-path="members[0].weight"]').isDisabled()).toBe(true);
      expect(await p.locator('[data-testid=config-push]').isDisabled()).toBe(true);
      await p.close();
    });

    it('goes back to the login page when the token is no longer valid', async () => {
      await page.evaluate(() => {
        const key = 'intelli-mesh.session';
        const s = JSON.parse(sessionStorage.getItem(key)!) as { token: string };
        sessionStorage.setItem(key, JSON.stringify({ ...s, token: 'stale-token' }));
      });
      await page.goto(`${ctl.url}/#/nodes`);
      await page.reload();
      await page.waitForSelector('input[name=password]');
    });
  },
);
