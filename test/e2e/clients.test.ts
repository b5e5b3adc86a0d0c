/// <reference lib="dom" />
/**
 * Wi-Fi clients in the dashboard on the whole demo (simulated mesh whose clients walk and roam,
 * real broker, controller and built dashboard), in headless Chromium: the clients page lists the
 * demo's clients and finds one by part of its MAC; a roam while the topology is open draws its
 * arrow and lists it; that client's page shows the AP the controller has it at and the roam in
 * its history; a client's AP lists it on its node page; the events timeline shows roams in words,
 * linked to the client. Nothing is injected: every roam is one the demo's station model made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRecord, ClientRoam } from '../../src/controller/clients/client-records.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

let demo: RunningDemo;
let browser: Chromium;
let page: Page;
let token: string;
const dir = mkdtempSync(join(tmpdir(), 'im-clients-e2e-'));
/** docs/clients-list.png is refreshed only on request, so a test run leaves the tree clean. */
const shot = (name: string) =>
  process.env.UPDATE_SCREENSHOT
    ? resolve(import.meta.dirname, `../../docs/${name}`)
    : join(dir, name);

async function api<T>(path: string): Promise<T> {
  const r = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as T;
}

/** The roam the topology showed: the first entry of the list under the canvas. */
interface SeenRoam {
  mac: string;
  from: string;
  to: string;
}

let seen: SeenRoam;

describe.skipIf(!chromiumPath)(
  `the demo's roaming clients in the dashboard${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        port: 0,
        nodes: 12,
        seed: 1,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'e2e-pw',
        stateEveryMs: 1000,
      });
      const login = await fetch(`${demo.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'e2e-pw' }),
      });
      token = ((await login.json()) as { token: string }).token;
      browser = await launchChromium();
      page = await browser.context.newPage();
      await signIn(page, demo.url, 'admin', 'e2e-pw');
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("lists the demo's clients and finds a walking one by part of its MAC", async () => {
      await page.click('nav a[href="#/clients"]');
      const walker = demo.world.stations.mobileMacs[0]!;
      await page.waitForSelector(`[data-testid=client-table] tr[data-mac="${walker}"]`, {
        timeout: 20_000,
      });
      await page.waitForSelector('[data-testid=client-table] tbody tr:nth-child(20)');
      await page.screenshot({ path: shot('clients-list.png') });
      // The last three octets, upper case with dashes, as a phone's settings show them.
      const part = walker.slice(9).toUpperCase().replaceAll(':', '-');
      await page.fill('input[aria-label="search clients by MAC"]', part);
      await page.waitForFunction(
        (mac) => {
          const rows = Array.from(document.querySelectorAll('[data-testid=client-table] tbody tr'));
          return rows.length >= 1 && rows.every((r) => r.getAttribute('data-mac') === mac);
        },
        walker,
        { timeout: 10_000 },
      );
      const { clients } = await api<{ clients: ClientRecord[] }>(`/api/clients?q=${part}`);
      expect(clients.map((c) => c.mac)).toEqual([walker]);
    });

    it('draws a roam on the topology as it happens', async () => {
      await page.click('nav a[href="#/topology"]');
      await page.waitForSelector('[data-testid=topology-canvas][data-nodes="12"]');
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid=topology-canvas]')?.getAttribute('data-clients'),
          ) > 12,
        undefined,
        { timeout: 20_000 },
      );
      // The demo's walkers roam every few seconds across 12 APs.
      const entry = page.locator('[data-testid=recent-roams] [data-mac]').first();
      await entry.waitFor({ timeout: 40_000 });
      seen = {
        mac: (await entry.getAttribute('data-mac'))!,
        from: (await entry.getAttribute('data-from'))!,
        to: (await entry.getAttribute('data-to'))!,
      };
      expect(seen.from).not.toBe(seen.to);
      const roams = await page
        .locator('[data-testid=topology-canvas]')
        .evaluate((el: HTMLElement & { topology?: { overlay: { roams: { mac: string }[] } } }) =>
          el.topology!.overlay.roams.map((r) => r.mac),
        );
      expect(roams).toContain(seen.mac);
    }, 60_000);

    it("shows that client's AP and the roam in its history; its AP lists it", async () => {
      await page.click(`[data-testid=recent-roams] [data-mac="${seen.mac}"] a`);
      await page.waitForSelector(`[data-testid=client-page][data-mac="${seen.mac}"]`);
      // The roam into the AP the topology showed (the feed sends a client's last change of a
      // batch, so two quick roams reach the dashboard as one: the history has the last leg).
      const leg = `[data-testid=roam-history] tr[data-to="${seen.to}"]`;
      await page.waitForSelector(leg, { timeout: 15_000 });
      const row = (await page.locator(leg).first().textContent())!;
      // The demo's walkers use 802.11r (staff, corp) or a full PSK handshake (guest); a gap in ms.
      expect(row).toMatch(/(FT over the air|FT over the DS|WPA-PSK 4-way handshake|802\.1X\/EAP)/);
      expect(row).toMatch(/\d+ ms/);

      // Where the page says it is, the controller says it is (it may roam on: poll both).
      await page.waitForFunction(
        async ([mac, t]) => {
          const r = await fetch(`/api/clients/${mac}`, {
            headers: { authorization: `Bearer ${t}` },
          });
          const body = (await r.json()) as { client: { node: string } };
          return (
            document.querySelector('[data-testid=client-node] .fact-value')?.textContent ===
            body.client.node
          );
        },
        [seen.mac, token] as const,
        { timeout: 10_000, polling: 250 },
      );
      const detail = await api<{ client: ClientRecord; history: ClientRoam[] }>(
        `/api/clients/${seen.mac}`,
      );
      expect(detail.history.some((h) => h.to === seen.to)).toBe(true);
      expect(detail.client.roams).toBe(detail.history.length);

      // A client that stays put is on its AP's node page.
      const { clients } = await api<{ clients: ClientRecord[] }>('/api/clients');
      const still = clients.find(
        (c) => c.associated && !demo.world.stations.mobileMacs.includes(c.mac),
      )!;
      await page.goto(`${demo.url}/#/nodes/${still.node}`);
      await page.waitForSelector(`[data-testid=node-stations] tr[data-mac="${still.mac}"]`);
      // The page's list is the AP's associated stations as the API has them (walkers come and
      // go: compare the two at one moment, polling).
      await page.waitForFunction(
        async ([node, t]) => {
          const r = await fetch(`/api/nodes/${node}`, {
            headers: { authorization: `Bearer ${t}` },
          });
          const body = (await r.json()) as { stations: { mac: string; associated: boolean }[] };
          const api = body.stations.filter((x) => x.associated).map((x) => x.mac);
          const shown = Array.from(
            document.querySelectorAll('[data-testid=node-stations] tbody tr'),
          ).map((tr) => tr.getAttribute('data-mac'));
          return api.length === shown.length && api.every((m) => shown.includes(m));
        },
        [still.node, token] as const,
        { timeout: 10_000, polling: 250 },
      );
    });

    it('tells the roams on the events timeline, linked to the client', async () => {
      await page.goto(`${demo.url}/#/events`);
      await page.selectOption('select[aria-label="kind filter"]', { label: 'client roams' });
      await page.waitForSelector('[data-testid=event-timeline] li[data-kind=client-roamed]');
      const reasons = await page.$$eval('[data-testid=event-timeline] li', (lis) =>
        lis.map((li) => [li.getAttribute('data-kind'), li.querySelector('.reason')?.textContent]),
      );
      for (const [kind, reason] of reasons) {
        expect(kind).toBe('client-roamed');
        expect(reason).toMatch(/^client [0-9a-f:]{17} roamed n\d+ → n\d+/);
      }
      await page.locator('[data-testid=event-timeline] a.client-link').first().click();
      await page.waitForSelector('[data-testid=client-page] [data-testid=roam-history]');
    });
  },
);
