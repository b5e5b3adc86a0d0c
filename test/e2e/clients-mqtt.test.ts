/// <reference lib="dom" />
/**
 * Wi-Fi clients in the dashboard, headless Chromium against the real controller and broker:
 * fake nodes publish states with `stations` and a `client-roamed` event over real MQTT, in the
 * shapes of contract seam 4. The clients page finds a client by part of its MAC and shows where
 * it is; a roam while the topology is open draws its arrow and lists it; after the roam the
 * client's page shows the new AP and the history row (method, gap), the new AP's node page lists
 * it and the old one no longer does; a roam back arrives live on the open client page; the
 * events timeline shows the roam linked to the client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startController, type RunningController } from '../../src/controller/controller.ts';
import type { EmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import type { StationReport } from '../../src/mqtt/messages.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';
import {
  CONTROLLER_PASSWORD,
  FakeSite,
  SITE,
  startSiteBroker,
  type NodeName,
} from './fake-site.ts';

const scheduler = new RealScheduler();
/** docs/clients.png is refreshed only on request, so a test run leaves the tree clean. */
const shot = (name: string) =>
  process.env.UPDATE_SCREENSHOT
    ? resolve(import.meta.dirname, `../../docs/${name}`)
    : join(mkdtempSync(join(tmpdir(), 'im-shot-')), name);

const X = 'aa:bb:cc:dd:ee:01';
const Y = 'aa:bb:cc:dd:ee:02';
const Z = '02:11:22:33:44:55';

let broker: EmbeddedBroker;
let ctl: RunningController;
let site: FakeSite;
let browser: Chromium;
let page: Page;

/** Which stations each fake node reports now. */
const stations = new Map<NodeName, StationReport[]>();

function station(mac: string, extra: Partial<StationReport> = {}): StationReport {
  return {
    mac,
    ssid: 'Riverside Staff',
    vlan: 10,
    iface: 'phy0-ap0',
    signal_dbm: -58,
    since: new Date(scheduler.now()).toISOString(),
    auth: 'psk',
    ft: false,
    ...extra,
  };
}

async function publish(node: NodeName): Promise<void> {
  await site.link(node).publishState({ ...site.state(node), stations: stations.get(node) ?? [] });
}

/** X moves from one AP to another as an agent says it: both states, then its roam event. */
async function roam(from: NodeName, to: NodeName, gapMs: number): Promise<void> {
  const signal = -49;
  stations.set(to, [
    ...(stations.get(to) ?? []),
    station(X, { signal_dbm: signal, ft: 'over-air' }),
  ]);
  stations.set(
    from,
    (stations.get(from) ?? []).filter((s) => s.mac !== X),
  );
  await publish(to);
  await publish(from);
  await site.link(to).publishEvent({
    at: scheduler.now(),
    node: to,
    kind: 'client-roamed',
    subject: X,
    from,
    to,
    reason: `client ${X} roamed ${from} → ${to}, FT over the air, ${gapMs} ms`,
    mac: X,
    ssid: 'Riverside Staff',
    method: 'ft-over-air',
    gap_ms: gapMs,
  });
}

/** Waits until some element matching `selector` contains `text`; fails with what it saw. */
async function waitForText(p: Page, selector: string, text: string, timeout = 15_000) {
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

const rowMacs = (p: Page, table: string) =>
  p.$$eval(`[data-testid=${table}] tbody tr`, (trs) =>
    trs.map((tr) => tr.getAttribute('data-mac')),
  );

describe.skipIf(!chromiumPath)(
  `Wi-Fi clients in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const webRoot = await buildDashboard();
      broker = await startSiteBroker();
      ctl = await startController({
        site: SITE,
        dbPath: join(mkdtempSync(join(tmpdir(), 'im-clients-')), 'controller.db'),
        mqttUrl: broker.url,
        mqttPassword: CONTROLLER_PASSWORD,
        scheduler,
        port: 0,
        adminPassword: 'admin-pw',
        webRoot,
      });
      site = await FakeSite.start(broker.url, scheduler);
      stations.set('gw-1', [station(X), station(Y, { signal_dbm: -71 })]);
      stations.set('gw-2', [station(Z, { ssid: 'Riverside Guest', vlan: 40, signal_dbm: -83 })]);
      for (const node of ['gw-1', 'gw-2', 'mesh-3'] as const) await publish(node);
      browser = await launchChromium();
      page = await browser.context.newPage();
      await signIn(page, ctl.url, 'admin', 'admin-pw');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await site?.close();
      await ctl?.close();
      await broker?.close();
    });

    it('lists the clients where they are and finds one by part of its MAC', async () => {
      await page.click('nav a[href="#/clients"]');
      await page.waitForSelector(`[data-testid=client-table] tr[data-mac="${X}"][data-node=gw-1]`);
      expect(new Set(await rowMacs(page, 'client-table'))).toEqual(new Set([X, Y, Z]));
      await waitForText(page, '[data-testid=client-count]', '3 associated, 3 known');
      const row = page.locator(`[data-testid=client-table] tr[data-mac="${Z}"]`);
      expect(await row.textContent()).toContain('Riverside Guest');
      expect(await row.locator('.pill').textContent()).toBe('-83 dBm');
      expect(await row.locator('.pill').getAttribute('class')).toContain('bad');

      // Part of a MAC, upper case with dashes, as someone copies it from a phone's settings.
      await page.fill('input[aria-label="search clients by MAC"]', 'DD-EE-0');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=client-table] tbody tr').length === 2,
      );
      expect(new Set(await rowMacs(page, 'client-table'))).toEqual(new Set([X, Y]));
      await page.fill('input[aria-label="search clients by MAC"]', 'phone');
      await waitForText(page, '.error', "'phone' is not a MAC address or part of one");
      await page.fill('input[aria-label="search clients by MAC"]', 'ff:ff');
      await waitForText(page, '.empty', "No client matches 'ff:ff'.");
      await page.fill('input[aria-label="search clients by MAC"]', '');
    });

    it('shows a roam on the topology while it happens', async () => {
      await page.click('nav a[href="#/topology"]');
      await page.waitForSelector('[data-testid=topology-canvas][data-nodes="3"][data-clients="3"]');
      const counts = () =>
        page
          .locator('[data-testid=topology-canvas]')
          .evaluate(
            (el: HTMLElement & { topology?: { overlay: { counts: Map<string, number> } } }) =>
              Object.fromEntries([...el.topology!.overlay.counts].sort()),
          );
      await page.waitForFunction(
        () =>
          (
            document.querySelector('[data-testid=topology-canvas]') as HTMLElement & {
              topology?: { overlay: { counts: Map<string, number> } };
            }
          ).topology?.overlay.counts.size === 2,
      );
      expect(await counts()).toEqual({ 'gw-1': 2, 'gw-2': 1 });
      await roam('gw-1', 'mesh-3', 38);
      // The arrow is drawn for a few seconds, and the roam is listed under the canvas.
      await page.waitForSelector(`[data-testid=topology-canvas][data-roams*="${X} gw-1>mesh-3"]`);
      await page.waitForSelector(
        `[data-testid=recent-roams] [data-mac="${X}"][data-from=gw-1][data-to=mesh-3]`,
      );
      await page
        .locator('[data-testid=topology]')
        .screenshot({ path: shot('clients-topology.png') });
      // The renderer really has it to draw, and keeps drawing while it fades.
      const drawing = await page
        .locator('[data-testid=topology-canvas]')
        .evaluate(
          async (
            el: HTMLElement & { topology?: { overlay: { roams: unknown[] }; draws: number } },
          ) => {
            const before = el.topology!.draws;
            await new Promise((r) => setTimeout(r, 300));
            return {
              roams: el.topology!.overlay.roams.length,
              frames: el.topology!.draws - before,
            };
          },
        );
      expect(drawing.roams).toBe(1);
      // The badges follow the feed: one client moved from gw-1 to mesh-3.
      await page.waitForFunction(
        () =>
          (
            document.querySelector('[data-testid=topology-canvas]') as HTMLElement & {
              topology?: { overlay: { counts: Map<string, number> } };
            }
          ).topology?.overlay.counts.get('mesh-3') === 1,
      );
      expect(await counts()).toEqual({ 'gw-1': 1, 'gw-2': 1, 'mesh-3': 1 });
      expect(drawing.frames).toBeGreaterThan(3);
      // Then it fades and the canvas goes idle again.
      await page.waitForSelector('[data-testid=topology-canvas][data-roams=""]', {
        timeout: 10_000,
      });
    });

    it("shows the client's new AP and its roaming history, and each AP's own list", async () => {
      await page.goto(`${ctl.url}/#/clients`);
      await page.waitForSelector(
        `[data-testid=client-table] tr[data-mac="${X}"][data-node=mesh-3]`,
      );
      await page.click(`[data-testid=client-table] tr[data-mac="${X}"] a[href^="#/clients/"]`);
      await page.waitForSelector(`[data-testid=client-page][data-mac="${X}"]`);
      expect(await page.locator('[data-testid=client-node] .fact-value').textContent()).toBe(
        'mesh-3',
      );
      await page.waitForSelector('[data-testid=roam-history] tr[data-from=gw-1][data-to=mesh-3]');
      const rows = page.locator('[data-testid=roam-history] tbody tr');
      expect(await rows.count()).toBe(1);
      const text = (await rows.first().textContent())!;
      expect(text).toContain('FT over the air');
      expect(text).toContain('38 ms');
      await page.screenshot({ path: shot('clients.png'), fullPage: true });

      // A roam back arrives live on the open page.
      await roam('mesh-3', 'gw-1', 41);
      await page.waitForSelector('[data-testid=roam-history] tr[data-from=mesh-3][data-to=gw-1]');
      await waitForText(page, '[data-testid=client-node] .fact-value', 'gw-1');
      expect(await rows.count()).toBe(2);
      // Newest first.
      expect(await rows.first().getAttribute('data-from')).toBe('mesh-3');
      expect(await rows.first().textContent()).toContain('41 ms');

      await page.click('[data-testid=client-node] a');
      await page.waitForSelector(`[data-testid=node-stations] tr[data-mac="${X}"]`);
      expect(new Set(await rowMacs(page, 'node-stations'))).toEqual(new Set([X, Y]));
      await page.goto(`${ctl.url}/#/nodes/mesh-3`);
      await waitForText(page, '[data-testid=node-clients]', 'No client associated to this AP.');
    });

    it('shows the roams on the events timeline, linked to the client', async () => {
      await page.goto(`${ctl.url}/#/events`);
      await page.selectOption('select[aria-label="kind filter"]', { label: 'client roams' });
      await page.waitForFunction(
        () =>
          document.querySelectorAll('[data-testid=event-timeline] li[data-kind=client-roamed]')
            .length >= 2,
      );
      const kinds = await page.$$eval('[data-testid=event-timeline] li', (lis) =>
        lis.map((li) => li.getAttribute('data-kind')),
      );
      expect(new Set(kinds)).toEqual(new Set(['client-roamed']));
      await waitForText(
        page,
        '[data-testid=event-timeline] .reason',
        `client ${X} roamed gw-1 → mesh-3, FT over the air, 38 ms`,
      );
      await page.locator(`[data-testid=event-timeline] a.client-link`).first().click();
      await page.waitForSelector(`[data-testid=client-page][data-mac="${X}"]`);
    });
  },
);
