/// <reference lib="dom" />
/**
 * The dashboard's Radio section in headless Chromium, at 1440 × 900 and on a 375 × 667 touch
 * phone, against the whole demo (`startDemo`): the real controller and its /api/radio routes,
 * the embedded broker, and the simulated radio mesh whose radio gateway reports over MQTT. The
 * node list matches the API (status, "N s ago", hops, RTT, gateways) and the graph from scans is
 * drawn; from a node's page a ping, a scan and a send show their results inline, and the RTT
 * history and the message appear; a radio node killed from the fault panel turns unreachable in
 * the list live, and a ping to it shows the timeout; a viewer gets no buttons; on the phone the
 * list reflows into cards and a ping works by tap. With UPDATE_SCREENSHOT=1 the pictures are
 * saved in docs/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import type { RadioGraph, RadioNodeList } from '../../web/src/api/radio-types.ts';
import { waitFor } from '../openwrt/wait-for.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-radio-e2e-'));
const shot = (name: string) =>
  process.env.UPDATE_SCREENSHOT
    ? resolve(import.meta.dirname, '../../docs', name)
    : join(dir, name);

let demo: RunningDemo;
let headers: Record<string, string>;
let desktop: Chromium;
let phone: Chromium;
let admin: Page;

async function api<T>(path: string): Promise<T> {
  const r = await fetch(`${demo.url}${path}`, { headers });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
}

async function open(browser: Chromium, user: string, pw: string): Promise<Page> {
  const page = await browser.context.newPage();
  await signIn(page, demo.url, user, pw);
  return page;
}

const row = (page: Page, address: number) =>
  page.locator(`[data-testid=radio-nodes] tr[data-address="${address}"]`);

/**
 * Presses Ping until it answers, at most three times: the demo's radio is lossy on purpose, so
 * one ping in a few may time out, as on a real radio; the user's answer is to ping again.
 */
async function pingAnswered(page: Page, press: () => Promise<void>): Promise<string> {
  const seen: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    await press();
    await page.waitForSelector('[data-testid=ping-result]:not([data-state=busy])', {
      timeout: 15_000,
    });
    const text = (await page.textContent('[data-testid=ping-result]'))!;
    if ((await page.getAttribute('[data-testid=ping-result]', 'data-state')) === 'ok') return text;
    seen.push(text);
  }
  throw new Error(`no ping answered in three tries: ${seen.join(' | ')}`);
}

async function settle(page: Page) {
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

describe.skipIf(!chromiumPath)(
  `Radio section in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      demo = await startDemo({
        port: 0,
        nodes: 8,
        dbPath: join(dir, 'demo.db'),
        webRoot: await buildDashboard(),
        adminPassword: 'radio-pw',
        // Short thresholds: a killed radio node turns unreachable within seconds.
        radio: { liveness: { unreachableAfterMs: 10_000, alertAfterMs: 20_000 } },
      });
      await demo.controller.store.users.create('watcher', 'viewer', 'viewer-pw', Date.now());
      const login = await fetch(`${demo.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'radio-pw' }),
      });
      headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
      // The gateway's first ping round and scan: every radio node reachable and on the graph.
      await waitFor(
        'every radio node reachable and a scan on the graph',
        async () => {
          const { nodes } = await api<RadioNodeList>('/api/radio/nodes');
          const graph = await api<RadioGraph>('/api/radio/graph');
          const heard = nodes.filter((n) => n.address !== 1 && n.status === 'reachable');
          return heard.length === 9 && graph.links.length > 0;
        },
        30_000,
        { intervalMs: 250 },
      );
      desktop = await launchChromium();
      phone = await launchChromium(
        { width: 375, height: 667 },
        { hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
      );
      admin = await open(desktop, 'admin', 'radio-pw');
      mkdirSync(resolve(shot('radio.png'), '..'), { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await desktop?.close();
      await phone?.close();
      await demo?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists the radio nodes as the API has them, and draws the graph from scans', async () => {
      const page = admin;
      // Desktop keeps its sidebar; the phone's menu button is not shown.
      expect(await page.locator('[data-testid=menu-button]').isVisible()).toBe(false);
      await page.click('nav a[href="#/radio"]');
      await row(page, 10).waitFor();
      // The page and the API are read one after the other while the lossy mesh lives on (a
      // route changes, a node is heard): compare until one pair of reads agrees, and say what
      // differed if none does.
      const differences = async (): Promise<string[]> => {
        const { nodes } = await api<RadioNodeList>('/api/radio/nodes');
        const shown = await page.$$eval('[data-testid=radio-nodes] tbody tr', (trs) =>
          trs.map((tr) => ({
            address: Number(tr.getAttribute('data-address')),
            heard: tr.querySelector('[data-testid=radio-last-heard]')?.textContent ?? '',
            hops: tr.querySelector('td[data-label=Hops]')?.textContent ?? '',
            gateways: tr.querySelector('[data-testid=radio-gateways]')?.textContent ?? '',
          })),
        );
        const out: string[] = [];
        const want = nodes.map((n) => n.address).sort((a, b) => a - b);
        const got = shown.map((r) => r.address).sort((a, b) => a - b);
        if (want.join() !== got.join()) out.push(`rows ${got.join()} vs API ${want.join()}`);
        for (const n of nodes.filter((x) => x.address !== 1)) {
          const r = shown.find((x) => x.address === n.address);
          if (!r) continue;
          const heard = n.last_heard_ms === null ? /^never$/ : /^(just now|\d+ s ago)$/;
          if (!heard.test(r.heard)) out.push(`${n.address}: last heard '${r.heard}'`);
          if (r.hops !== String(n.hops ?? '–'))
            out.push(`${n.address}: hops '${r.hops}' vs API ${n.hops}`);
          if (r.gateways !== 'radio-gw') out.push(`${n.address}: gateways '${r.gateways}'`);
        }
        return out;
      };
      await expect.poll(differences, { timeout: 15_000, interval: 500 }).toEqual([]);
      // The far end of the ladder is more than one hop away (once pinged: until then it was
      // only learned of from a scan, and its hops are '–').
      await expect
        .poll(
          async () => Number(await row(page, 10).locator('td[data-label=Hops]').textContent()),
          { timeout: 15_000, interval: 500 },
        )
        .toBeGreaterThan(1);
      await page.locator('[data-testid=radio-gateway]', { hasText: 'radio-gw' }).waitFor();
      const graph = await api<RadioGraph>('/api/radio/graph');
      const canvas = page.locator('[data-testid=radio-graph] [data-testid=topology-canvas]');
      await page.waitForSelector(
        `[data-testid=radio-graph] [data-testid=topology-canvas][data-nodes="${graph.nodes.length}"]`,
      );
      expect(graph.nodes.length).toBeGreaterThanOrEqual(10);
      await settle(page);
      await page.screenshot({ path: shot('radio.png') });
      // A node on the graph opens its page.
      const box = (await canvas.boundingBox())!;
      const id = graph.nodes.find((n) => n.properties.address === 4)!.id;
      const p = (await canvas.evaluate(
        (el: HTMLElement & { topology?: { screenPosition(id: string): unknown } }, i) =>
          el.topology!.screenPosition(i),
        id,
      )) as { x: number; y: number };
      await page.mouse.click(box.x + p.x, box.y + p.y);
      await page.waitForFunction(() => location.hash === '#/radio/4');
    });

    it('pings, scans and sends from a node page and shows each result inline', async () => {
      const page = admin;
      await page.goto(`${demo.url}/#/radio/4`);
      await page.waitForSelector('[data-testid=radio-node-page][data-address="4"]');
      expect(await page.textContent('[data-testid=radio-status]')).toBe('reachable');

      const pinged = await pingAnswered(page, () =>
        page.click('[data-testid=radio-actions] button:has-text("Ping")'),
      );
      expect(pinged).toMatch(/^\d+ ms via radio-gw$/);
      // The ping is in the node's RTT history, drawn as a chart.
      await page.waitForSelector('.radio-node-page .uplot canvas');
      expect(await page.textContent('[data-testid=radio-last-rtt]')).toMatch(/^\d+ ms$/);

      await page.fill('[data-testid=radio-actions] input[name=depth]', '2');
      await page.click('[data-testid=radio-actions] button:has-text("Scan")');
      await page.waitForSelector('[data-testid=scan-result][data-state=ok]', { timeout: 40_000 });
      const scanned = /^(\d+) nodes, (\d+) links$/.exec(
        (await page.textContent('[data-testid=scan-result]'))!,
      );
      expect(scanned).not.toBeNull();
      // Node 4's two-hop neighbourhood on the ladder: more than itself, less than the mesh.
      expect(Number(scanned![1])).toBeGreaterThan(2);
      await page.waitForSelector(
        `[data-testid=radio-graph] [data-testid=topology-canvas][data-nodes="${scanned![1]}"][data-links="${scanned![2]}"]`,
      );

      await page.fill('[data-testid=radio-actions] input[name=text]', 'led=on');
      await page.click('[data-testid=radio-actions] button:has-text("Send")');
      await page.waitForSelector('[data-testid=send-result][data-state=ok]', { timeout: 25_000 });
      expect(await page.textContent('[data-testid=send-result]')).toBe('acknowledged');
      await page.waitForSelector('[data-testid=radio-messages] tr[data-direction=to-node]');
      expect(await page.textContent('[data-testid=radio-messages]')).toContain('led=on');
      await settle(page);
      await page.screenshot({ path: shot('radio-node.png'), fullPage: true });
    });

    it('shows a radio node killed from the fault panel as unreachable, live, and its ping timing out', async () => {
      const page = admin;
      await page.goto(`${demo.url}/#/radio`);
      await page.waitForSelector(
        '[data-testid=radio-nodes] tr[data-address="7"][data-status=reachable]',
      );
      // The fault panel in a second tab; the list stays open in this one, never reloaded.
      const panel = await open(desktop, 'admin', 'radio-pw');
      await panel.goto(`${demo.url}/#/faults`);
      const fault = panel.locator('.fault-row[data-node="radio-7"]');
      await fault.getByRole('button', { name: 'Kill' }).click();
      await panel.waitForSelector('.fault-row[data-node="radio-7"][data-state=down]');
      await page.waitForSelector(
        '[data-testid=radio-nodes] tr[data-address="7"][data-status=unreachable]',
        { timeout: 30_000 },
      );
      await row(page, 7).locator('a').click();
      await page.waitForSelector('[data-testid=radio-status]:has-text("unreachable")');
      await page.click('[data-testid=radio-actions] button:has-text("Ping")');
      await page.waitForSelector('[data-testid=ping-result][data-state=failed]', {
        timeout: 15_000,
      });
      expect(await page.textContent('[data-testid=ping-result]')).toMatch(/\((502|504)\)$/);
      // Restored, it is heard again and reachable.
      await fault.getByRole('button', { name: 'Restore' }).click();
      await panel.close();
      await page.goto(`${demo.url}/#/radio`);
      await page.waitForSelector(
        '[data-testid=radio-nodes] tr[data-address="7"][data-status=reachable]',
        { timeout: 20_000 },
      );
      // Silence to unreachable, a ping's timeout, and hearing it again take real radio time.
    }, 90_000);

    it('gives a viewer the facts but no buttons', async () => {
      const page = await open(desktop, 'watcher', 'viewer-pw');
      await page.goto(`${demo.url}/#/radio/4`);
      await page.waitForSelector('[data-testid=radio-viewer-note]');
      expect(await page.locator('[data-testid=radio-actions]').count()).toBe(0);
      expect(await page.locator('.radio-node-page button').count()).toBe(0);
      await page.close();
    });

    it('reflows the list into cards and keeps the actions usable on a phone', async () => {
      const page = await open(phone, 'admin', 'radio-pw');
      await page.goto(`${demo.url}/#/radio`);
      await row(page, 2).waitFor();
      const fits = () => page.evaluate(() => document.scrollingElement!.scrollWidth <= 375);
      expect(await fits()).toBe(true);
      // One card per node: no header row, each value under its column's name, two abreast.
      expect(await page.locator('[data-testid=radio-nodes] thead').isVisible()).toBe(false);
      const label = await row(page, 2)
        .locator('[data-testid=radio-rtt]')
        .evaluate((td) => getComputedStyle(td, '::before').content);
      expect(label).toBe('"RTT"');
      expect((await row(page, 2).boundingBox())!.width).toBeLessThanOrEqual(375);
      const hops = (await row(page, 2).locator('td[data-label=Hops]').boundingBox())!;
      const rtt = (await row(page, 2).locator('[data-testid=radio-rtt]').boundingBox())!;
      expect(rtt.y).toBe(hops.y);
      expect(rtt.x).toBeGreaterThan(hops.x + hops.width);
      await settle(page);
      await page.screenshot({ path: shot('radio-phone.png') });

      await row(page, 2).locator('a').tap();
      await page.waitForSelector('[data-testid=radio-node-page][data-address="2"]');
      const pinged = await pingAnswered(page, () =>
        page.locator('[data-testid=radio-actions] button:has-text("Ping")').tap(),
      );
      expect(pinged).toMatch(/^\d+ ms via radio-gw$/);
      expect(await fits()).toBe(true);
      await page.screenshot({ path: shot('radio-node-phone.png') });
      await page.close();
    });
  },
);
