/**
 * Vitest global setup: one directory per test run where the first browser test file builds the
 * dashboard and the others reuse it (see build-dashboard.ts). Setting the variable costs nothing
 * when no browser test runs; the directory goes when the run ends. A variable already set (the
 * second project's setup in the same run, or a caller's own) is left alone; in watch mode each
 * file builds its own, so an edit of web/ is seen by the next rerun.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** The environment variable naming the run's shared build directory. */
export const DASHBOARD_CACHE_ENV = 'IM_DASHBOARD_CACHE';

export default function setup(project: TestProject): (() => void) | undefined {
  if (process.env[DASHBOARD_CACHE_ENV] || project.vitest.config.watch) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'im-web-run-'));
  process.env[DASHBOARD_CACHE_ENV] = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env[DASHBOARD_CACHE_ENV];
  };
}
