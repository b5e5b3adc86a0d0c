import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parsed, simulate } from './helpers.ts';

const walk = readFileSync('scenarios/roaming-walk.yaml', 'utf8');
const WALKER = '02:00:00:00:00:01';

function runWalk(yaml = walk) {
  const { sim, lines } = simulate(yaml);
  sim.run();
  return { sim, summary: sim.summary(0), trace: parsed(lines) };
}

describe('scenarios/roaming-walk.yaml (virtual time)', () => {
  const { summary, trace } = runWalk();
  const r = summary.roaming!;

  it('the walker joins one AP and roams past at least 4 more with FT over the air', () => {
    const walker = r.per_roam.filter((x) => x.mac === WALKER);
    const aps = new Set(walker.flatMap((x) => [x.from, x.to]));
    expect(aps.size).toBeGreaterThanOrEqual(5);
    expect(walker.map((x) => x.to)).toEqual(['n5', 'n6', 'n7', 'n11', 'n15']);
    for (const x of walker) {
      expect(x.method).toBe('ft-over-air');
      expect(x.radio_gap_ms).toBeGreaterThanOrEqual(15);
      expect(x.radio_gap_ms).toBeLessThanOrEqual(55);
      // Measured at the station, the gap is the radio gap plus at most two frame periods (50 pps),
      // and one more per frame the mesh lost around the roam (the scenario's links lose 1 %).
      expect(x.data_gap_ms).not.toBeNull();
      expect(x.data_gap_ms!).toBeGreaterThanOrEqual(x.radio_gap_ms);
      expect(x.data_gap_ms!).toBeLessThanOrEqual(
        x.radio_gap_ms + 2 * 20 + 20 + 20 * x.frames_lost_mesh,
      );
      // Those mesh losses are the links' random loss, never the routing (no-link, no route...).
      const from = x.started_at_s * 1000 - 3 * 20;
      const to = x.completed_at_s * 1000 + x.data_gap_ms!;
      const reasons = trace
        .filter((e) => e.src === 'drop' && e.proto === 'data')
        .filter((e) => (e.t as number) >= from && (e.t as number) <= to)
        .map((e) => e.reason);
      for (const reason of reasons) expect(['channel-loss', 'roam-gap']).toContain(reason);
    }
  });

  it('summary.json has the roaming section with roams, gap_ms {p50, p95, max} and frames_lost', () => {
    expect(r.roams).toBe(r.per_roam.length);
    expect(r.roams).toBeGreaterThanOrEqual(5);
    const { p50, p95, max } = r.gap_ms;
    expect(p50).not.toBeNull();
    expect(p50!).toBeLessThanOrEqual(p95!);
    expect(p95!).toBeLessThanOrEqual(max!);
    expect(max).toBe(Math.max(...r.per_roam.map((x) => x.gap_ms)));
    expect(r.frames_lost).toBe(r.frames_lost_radio + r.frames_lost_mesh);
    expect(Object.keys(r.by_method).sort()).toEqual(['ft-over-air', 'ft-over-ds']);
  });

  it('every frame lost to a handshake is in the trace as roam-gap, and counted', () => {
    const gapDrops = trace.filter((l) => l.src === 'drop' && l.reason === 'roam-gap');
    expect(gapDrops.length).toBeGreaterThan(0);
    expect(gapDrops.length).toBe(r.frames_lost_radio);
    const kinds = new Set(trace.filter((l) => l.src === 'event').map((l) => l.kind));
    for (const k of ['client-associated', 'client-roam-started', 'client-roamed'])
      expect(kinds.has(k)).toBe(true);
  });

  it('with roaming advertisement, frames in flight to the old AP are forwarded, none lost in the mesh', () => {
    expect(trace.some((l) => l.src === 'event' && l.kind === 'roam-forward')).toBe(true);
    expect(trace.filter((l) => l.reason === 'client-not-here')).toEqual([]);
    // No data frame is dropped for want of a route or a client entry: the only drops besides
    // the handshakes' are the links' 1 % random loss.
    const drops = trace.filter((l) => l.src === 'drop' && l.proto === 'data');
    expect(drops.filter((l) => l.reason !== 'roam-gap' && l.reason !== 'channel-loss')).toEqual([]);
    // So a frame lost in the mesh around a roam is one the channel lost on the way (which ones
    // fall into a roam's window depends on the seed and the routes: 0 or 1 per roam here).
    for (const x of r.per_roam) {
      const from = x.started_at_s * 1000 - 100;
      const to = x.completed_at_s * 1000 + x.gap_ms;
      const channelLost = drops.filter(
        (l) => l.reason === 'channel-loss' && (l.t as number) >= from && (l.t as number) <= to,
      ).length;
      expect(x.frames_lost_mesh).toBeLessThanOrEqual(channelLost);
    }
  });

  it('without roaming advertisement those frames are dropped at the old AP (client-not-here)', () => {
    const off = runWalk(
      walk.replace('roaming_advertisement: true', 'roaming_advertisement: false'),
    );
    const notHere = off.trace.filter((l) => l.src === 'drop' && l.reason === 'client-not-here');
    expect(notHere.length).toBeGreaterThan(0);
    expect(off.summary.roaming!.frames_lost_mesh).toBeGreaterThan(0);
    expect(off.trace.some((l) => l.kind === 'roam-forward')).toBe(false);
  });

  it('replays: the same seed gives the same summary and trace', () => {
    const again = runWalk();
    expect(again.summary).toEqual(summary);
    expect(again.trace).toEqual(trace);
  });
});

describe('intelli-mesh sim run scenarios/roaming-walk.yaml (real process)', () => {
  it('writes the roaming section and plots the gap per roam', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-roam-'));
    await promisify(execFile)('./bin/intelli-mesh', [
      'sim',
      'run',
      'scenarios/roaming-walk.yaml',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      roaming: { roams: number; gap_ms: Record<string, number>; frames_lost: number };
    };
    expect(summary.roaming.roams).toBeGreaterThanOrEqual(5);
    expect(Object.keys(summary.roaming.gap_ms).sort()).toEqual(['max', 'p50', 'p95']);
    expect(typeof summary.roaming.frames_lost).toBe('number');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Gap per roam');
    expect(html.match(/<svg /g)?.length).toBe(5);
  }, 60_000);
});
