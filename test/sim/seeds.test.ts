import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runToDir } from '../../src/sim/run-to-dir.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { parseSeedList } from '../../src/sim/seed-list.ts';
import type { SeedsSummary } from '../../src/sim/seeds-summary.ts';

const run = promisify(execFile);

describe('parseSeedList', () => {
  it('reads ranges, lists and both', () => {
    expect(parseSeedList('1..8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseSeedList('1,3,5')).toEqual([1, 3, 5]);
    expect(parseSeedList('1..3, 9')).toEqual([1, 2, 3, 9]);
  });

  it.each([
    ['', "'' is not a seed"],
    ['1..x', "'x' is not a seed"],
    ['5..1', 'range 5..1 runs backwards'],
    ['1,2,1', 'seed 1 appears twice'],
    ['-1', "'-1' is not a seed"],
    ['1..100000', 'more than 1024 seeds'],
    ['4294967296', '4294967296 is over 4294967295'],
  ])('rejects %j: %s', (value, message) => {
    expect(() => parseSeedList(value)).toThrow(message);
  });
});

const withoutWall = (s: Record<string, unknown>): Record<string, unknown> => {
  const { wall_s: _wall, ...rest } = s;
  return rest;
};

describe('intelli-mesh sim run --seeds (real process, worker threads)', () => {
  it('gives each seed the bytes of a single run with that seed, and combines them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-seeds-'));
    const file = join(dir, 'line.yaml');
    writeFileSync(
      file,
      readFileSync('scenarios/line-5-lossy.yaml', 'utf8').replace(
        'duration_s: 120',
        'duration_s: 30',
      ),
    );
    const many = join(dir, 'many');
    // The single runs in this process, through the code `sim run --seed N` uses.
    const scenario = parseScenario(readFileSync(file, 'utf8'), 'line.yaml');
    const [{ stdout }] = await Promise.all([
      run('./bin/intelli-mesh', [
        'sim',
        'run',
        file,
        '--seeds',
        '3,1',
        '--workers',
        '2',
        '--out',
        many,
      ]),
      runToDir(scenario, { seed: 1, outDir: join(dir, 's1') }),
      runToDir(scenario, { seed: 3, outDir: join(dir, 's3') }),
    ]);
    expect(stdout).toMatch(/^seed [13]: PDR /m);
    expect(stdout).toMatch(/line-5-lossy: 2 seeds; PDR mean /);
    const read = (p: string): string => readFileSync(p, 'utf8');
    const combined = JSON.parse(read(join(many, 'seeds-summary.json'))) as SeedsSummary;
    expect(combined.seeds).toEqual([3, 1]);
    for (const seed of [1, 3]) {
      const trace = read(join(many, `seed-${seed}`, 'trace.jsonl'));
      expect(trace.length).toBeGreaterThan(1000);
      expect(trace, `seed ${seed} trace`).toBe(read(join(dir, `s${seed}`, 'trace.jsonl')));
      const single = JSON.parse(read(join(dir, `s${seed}`, 'summary.json'))) as Record<
        string,
        unknown
      >;
      const own = JSON.parse(read(join(many, `seed-${seed}`, 'summary.json'))) as Record<
        string,
        unknown
      >;
      expect(withoutWall(own)).toEqual(withoutWall(single));
      const inCombined = combined.runs.find((r) => r.seed === seed)!;
      expect(inCombined.dir).toBe(`seed-${seed}`);
      expect(withoutWall(inCombined.summary as unknown as Record<string, unknown>)).toEqual(
        withoutWall(single),
      );
    }
    const pdrs = combined.runs.map((r) => r.summary.pdr);
    expect(pdrs[0]).not.toBe(pdrs[1]);
    expect(combined.aggregates.runs).toBe(2);
    expect(combined.aggregates.pdr.min).toBe(Math.min(...pdrs));
    expect(combined.aggregates.pdr.mean).toBeCloseTo((pdrs[0]! + pdrs[1]!) / 2, 5);
    expect(combined.aggregates.route_changes.total).toBe(
      combined.runs.reduce((a, r) => a + r.summary.route_changes.total, 0),
    );
  });

  it('says what is wrong with a bad --seeds value', async () => {
    const err = await run('./bin/intelli-mesh', [
      'sim',
      'run',
      'scenarios/line-5-lossy.yaml',
      '--seeds',
      '3..1',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(
      /--seeds '3\.\.1': range 3\.\.1 runs backwards/,
    );
  });
});
