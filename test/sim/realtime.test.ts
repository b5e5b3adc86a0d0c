import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runToDir } from '../../src/sim/run-to-dir.ts';
import { parseScenario } from '../../src/sim/scenario.ts';

describe('--realtime pacing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('advances virtual time with the (fake) wall clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const scenario = parseScenario('duration_s: 3\ntopology: { kind: line, nodes: 3 }\n');
    const out = mkdtempSync(join(tmpdir(), 'sim-rt-'));
    const progress: number[] = [];
    const done = runToDir(scenario, {
      outDir: out,
      realtime: true,
      onProgress: (s) => progress.push(s),
    });
    await vi.advanceTimersByTimeAsync(1_000);
    // about one virtual second per wall second, in 50 ms slices
    expect(progress.at(-1)).toBeGreaterThanOrEqual(0.95);
    expect(progress.at(-1)).toBeLessThanOrEqual(1.05);
    expect(progress.length).toBeGreaterThanOrEqual(19);
    await vi.advanceTimersByTimeAsync(2_500);
    const summary = await done;
    expect(summary.virtual_s).toBe(3);
    expect(summary.wall_s).toBeGreaterThanOrEqual(3);
    expect(summary.wall_s).toBeLessThan(3.2);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
