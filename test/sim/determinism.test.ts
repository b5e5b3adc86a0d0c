import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from './helpers.ts';

const yaml = readFileSync('scenarios/line-5-lossy.yaml', 'utf8').replace(
  'duration_s: 120',
  'duration_s: 40',
);
const withControl = `${yaml}\ntrace: { control_frames: true }\n`;

const digest = (lines: string[]): string =>
  createHash('sha256').update(lines.join('\n')).digest('hex');

describe('determinism', () => {
  it('gives a byte-identical trace for the same scenario and seed', () => {
    const a = simulate(withControl);
    a.sim.run();
    const b = simulate(withControl);
    b.sim.run();
    expect(a.lines.length).toBeGreaterThan(1000);
    expect(digest(b.lines)).toBe(digest(a.lines));
    expect(b.sim.summary(0)).toEqual(a.sim.summary(0));
  });

  it('gives a different trace for another seed', () => {
    const a = simulate(withControl);
    a.sim.run();
    const c = simulate(withControl, 2);
    c.sim.run();
    expect(digest(c.lines)).not.toBe(digest(a.lines));
    expect(c.sim.summary(0).seed).toBe(2);
  });

  it('leaves route changes out of the trace on request, still counting them', () => {
    const a = simulate(`${yaml}\ntrace: { route_changes: false }\n`);
    a.sim.run();
    expect(a.lines.some((l) => l.includes('"src":"route-change"'))).toBe(false);
    expect(a.sim.summary(0).route_changes.total).toBeGreaterThan(0);
  });

  it('keeps wall-clock values out of the trace', () => {
    const a = simulate(yaml);
    a.sim.run();
    for (const l of a.lines) {
      const t = (JSON.parse(l) as { t: number }).t;
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(40_000);
    }
    expect(new Set(a.lines.map((l) => (JSON.parse(l) as { src: string }).src))).toEqual(
      new Set(['tx', 'rx', 'drop', 'route-change']),
    );
  });
});
