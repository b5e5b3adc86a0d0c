/**
 * Headless Chromium for the dashboard's browser tests and benchmarks: Debian's /usr/bin/chromium
 * driven by playwright-core (no browser download), with a fresh profile each launch.
 *
 * @example
 * if (chromiumPath) { const b = await launchChromium(); const page = await b.newPage(); ... }
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** The browser executable, or undefined when this machine has none (tests then skip). */
export const chromiumPath: string | undefined = existsSync(CHROMIUM) ? CHROMIUM : undefined;

export const SKIP_REASON = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the dashboard's browser tests`;

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** How the page is shown: a phone is `{ hasTouch: true, isMobile: true }` at its viewport. */
export interface DeviceOptions {
  hasTouch?: boolean;
  isMobile?: boolean;
  deviceScaleFactor?: number;
}

/** A persistent context on a throw-away profile directory (removed on close). */
export async function launchChromium(
  viewport = { width: 1440, height: 900 },
  device: DeviceOptions = {},
): Promise<Chromium> {
  if (!chromiumPath) throw new Error(SKIP_REASON);
  const profile = mkdtempSync(join(tmpdir(), 'im-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    ...device,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in through the dashboard's form and waits until its live feed is connected. */
export async function signIn(
  page: Page,
  url: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=live-indicator].on');
}
