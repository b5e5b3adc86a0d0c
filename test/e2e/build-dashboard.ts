/**
 * Builds the dashboard (web/) into a fresh directory with Vite, so a browser test or benchmark
 * serves exactly the current sources without racing anyone else's web/dist.
 *
 * Under Vitest the build is shared by the run's test files: dashboard-cache.setup.ts gives the run
 * a directory (IM_DASHBOARD_CACHE), the first file to ask builds into it and the others wait for
 * that build, instead of some 16 browser test files paying a Vite build each.
 *
 * @example
 * const root = await buildDashboard(); // '/tmp/im-web-XXXX'
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { waitFor } from '../openwrt/wait-for.ts';
import { DASHBOARD_CACHE_ENV } from './dashboard-cache.setup.ts';

export async function buildDashboard(): Promise<string> {
  const shared = process.env[DASHBOARD_CACHE_ENV];
  if (!shared) return await buildInto(mkdtempSync(join(tmpdir(), 'im-web-')));
  const outDir = join(shared, 'web');
  const done = join(shared, 'done');
  const failed = join(shared, 'failed');
  try {
    // mkdir is atomic: exactly one test file of the run wins and builds.
    mkdirSync(join(shared, 'building'));
  } catch {
    const outcome = await waitFor(
      'the dashboard another test file is building',
      () => (existsSync(done) ? 'done' : existsSync(failed) ? 'failed' : undefined),
      120_000,
    );
    if (outcome === 'failed')
      throw new Error(`building the dashboard failed: ${readFileSync(failed, 'utf8')}`);
    return outDir;
  }
  try {
    await buildInto(outDir);
  } catch (err) {
    writeFileSync(failed, err instanceof Error ? err.message : String(err));
    throw err;
  }
  writeFileSync(done, '');
  return outDir;
}

async function buildInto(outDir: string): Promise<string> {
  const root = resolve(import.meta.dirname, '../../web');
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
