/// <reference lib="dom" />
/**
 * The demo's fault panel in headless Chromium against the real controller API and a real
 * simulated mesh (DemoWorld, stepped by the test): each button is enabled only when its action
 * makes sense in the target's state, active faults are listed with clock times and ages, and a
 * viewer gets no buttons. A controller without a demo answers 404 and the panel is hidden.
 */
import type { FastifyInstance } from 'fastify';
import type { Locator, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerStore } from '../../src/controller/store/controller-store.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';
import { apiApp } from '../controller/api-app.ts';
import { chromiumPath, launchChromium, SKIP_REASON, type Chromium, signIn } from './browser.ts';
import { buildDashboard } from './build-dashboard.ts';

interface Controller {
  app: FastifyInstance;
  store: ControllerStore;
  url: string;
}

const scheduler = new RealScheduler();
let browser: Chromium;
let withDemo: Controller;
let withoutDemo: Controller;
let world: DemoWorld;

async function controller(webRoot: string, demo: DemoWorld | undefined): Promise<Controller> {
  const api = await apiApp({ scheduler, site: 'demo', webRoot, demo: demo?.faults });
  return { app: api.app, store: api.store, url: await api.listen() };
}

async function loggedInPage(
  c: Controller,
  username: string,
  password: string,
  beforeLogin: (page: Page) => void = () => {},
) {
  const page = await browser.context.newPage();
  beforeLogin(page);
  await signIn(page, c.url, username, password);
  return page;
}

/** [Kill/Cut/Degrade enabled, Restore enabled] of one row. */
async function enabled(row: Locator): Promise<[boolean, boolean]> {
  const [act, restore] = await row.locator('button').all();
  return [await act!.isEnabled(), await restore!.isEnabled()];
}

describe.skipIf(!chromiumPath)(
  `fault panel in headless Chromium${chromiumPath ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    beforeAll(async () => {
      const webRoot = await buildDashboard();
      world = new DemoWorld({ nodes: 24, seed: 3, wallClock: () => Date.now() });
      await world.step(5_000);
      withDemo = await controller(webRoot, world);
      withoutDemo = await controller(webRoot, undefined);
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      for (const c of [withDemo, withoutDemo]) {
        await c?.app.close();
        c?.store.close();
      }
    });

    it('enables only the actions that make sense and lists active faults with their times', async () => {
      const page = await loggedInPage(withDemo, 'admin', 'admin-pw');
      await page.click('nav a[href="#/faults"]');
      const node = (n: string) => page.locator(`.fault-row[data-node="${n}"]`);
      const row = (text: string) => page.locator('.fault-row', { hasText: text });
      await node('n7').waitFor();
      await page.getByText('None: the mesh runs as configured.').waitFor();
      expect(await enabled(node('n7'))).toEqual([true, false]);
      expect(await enabled(row('n0 / wan'))).toEqual([true, false]);
      expect(await enabled(row('n1 — n2'))).toEqual([true, false]);

      await node('n7').getByRole('button', { name: 'Kill' }).click();
      await page.waitForSelector('.fault-row[data-node="n7"][data-state="down"]');
      expect(await enabled(node('n7'))).toEqual([false, true]);
      await world.step(200);
      expect(world.isUp('n7')).toBe(false);

      await row('n0 / wan').getByRole('button', { name: 'Cut' }).click();
      await page.waitForSelector('.fault-row[data-state="cut"]');
      expect(await enabled(row('n0 / wan'))).toEqual([false, true]);
      await page.locator('input[type=range]').fill('40');
      await row('n1 — n2').getByRole('button', { name: 'Degrade' }).click();
      await page.waitForSelector('.fault-row[data-state="degraded"]');
      expect(await enabled(row('n1 — n2'))).toEqual([true, true]);
      expect(await row('n1 — n2').textContent()).toContain('loss 40%');

      // The active faults as a table: kind, target, clock time and age, parameters.
      const active = page.locator('[data-testid=active-faults] tbody tr');
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid=active-faults] tbody tr').length === 3,
      );
      const rows = await active.evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
      );
      expect(rows.map((r) => r.slice(0, 2))).toEqual([
        ['node killed', 'n7'],
        ['WAN cut', 'n0/wan'],
        ['link degraded', 'n1-n2'],
      ]);
      for (const r of rows) expect(r[2]).toMatch(/^since \d\d:\d\d:\d\d, \d+ s ago$/);
      expect(rows[2]![3]).toBe('loss 40%');
      expect(rows[1]![3]).toBe('wan kind ethernet');
      expect(await page.locator('pre.code').count()).toBe(0);

      // Restoring from the table: the node is back, the row goes, Kill is offered again.
      await page
        .locator('[data-testid=active-faults] tr[data-target="n7"]')
        .getByRole('button', { name: 'Restore' })
        .click();
      await page.waitForSelector('.fault-row[data-node="n7"][data-state="up"]');
      expect(await enabled(node('n7'))).toEqual([true, false]);
      await world.step(200);
      expect(world.isUp('n7')).toBe(true);
      expect(await page.locator('[data-testid=active-faults] tr[data-target="n7"]').count()).toBe(
        0,
      );
      await page.close();
    }, 60_000);

    it('disables the panel for a viewer', async () => {
      const page = await loggedInPage(withDemo, 'watcher', 'viewer-pw');
      await page.click('nav a[href="#/faults"]');
      await page.locator('.fault-row').first().waitFor();
      const buttons = await page.locator('.fault-row button').all();
      expect(buttons.length).toBeGreaterThan(2 * 24);
      for (const b of buttons) expect(await b.isDisabled()).toBe(true);
      await page.close();
    });

    it('hides the panel when the controller has no fault API', async () => {
      let answered: Promise<Response> | undefined;
      const page = await loggedInPage(withoutDemo, 'admin', 'admin-pw', (p) => {
        answered = p.waitForResponse((r) => r.url().endsWith('/api/demo/faults'));
      });
      // Only once the shell has had its answer does the absence of the link mean anything.
      expect((await answered!).status()).toBe(404);
      await page.waitForSelector('[data-testid=kpi-nodes]');
      expect(await page.locator('nav a[href="#/faults"]').count()).toBe(0);
      await page.close();
    });
  },
);
