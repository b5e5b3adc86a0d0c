import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('intelli-mesh sim run (real process)', () => {
  it('writes trace.jsonl, summary.json and an offline report.html', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const { stdout, stderr } = await run('./bin/intelli-mesh', [
      'sim',
      'run',
      'scenarios/line-5-lossy.yaml',
      '--seed',
      '5',
      '--out',
      out,
    ]);
    expect(stdout).toMatch(/^line-5-lossy: 5 nodes, 120 s virtual/);
    expect(stderr).not.toMatch(/sim \[/); // no progress bar when stderr is not a TTY
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const key of [
      'seed',
      'nodes',
      'virtual_s',
      'wall_s',
      'events',
      'pdr',
      'latency_ms',
      'faults',
      'overhead_bytes_per_node_s',
    ]) {
      expect(summary).toHaveProperty(key);
    }
    expect(summary.seed).toBe(5);
    expect(summary.nodes).toBe(5);
    // four lossy hops of 10 % each: about 0.9^4 = 0.66 end to end
    expect(summary.pdr as number).toBeGreaterThan(0.55);
    expect(summary.pdr as number).toBeLessThan(0.76);
    const trace = readFileSync(join(out, 'trace.jsonl'), 'utf8').trim().split('\n');
    const sources = new Set(trace.map((l) => (JSON.parse(l) as { src: string }).src));
    expect(sources).toEqual(new Set(['tx', 'rx', 'drop', 'route-change']));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(4);
    expect(html).not.toMatch(/<script|<link |src="http|href="http|@import/);
  });

  it('fails with the path of a scenario error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'duration_s: 10\ntopology: { kind: line, nodes: 1 }\n');
    const err = await run('./bin/intelli-mesh', ['sim', 'run', file]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/error: bad\.yaml: topology\.nodes: /);
  });
});
