/**
 * Builds the dashboard (web/) into a fresh directory with Vite, so a browser test or benchmark
 * serves exactly the current sources without racing anyone else's web/dist.
 *
 * @example
 * const root = await buildDashboard(); // '/tmp/im-web-XXXX'
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'im-web-'));
  const root = resolve(import.meta.dirname, '../../web');
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
