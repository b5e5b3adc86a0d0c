import { describe, expect, it } from 'vitest';
import { parseTrackerOptions } from './tracker-options.ts';
import { wanFigures } from './wan-figures.ts';
import { WanTracker } from './wan-tracker.ts';

/** A tracker of one target that answered its first cycle in `rttMs`. */
function answeredOnce(rttMs: number) {
  const t = new WanTracker({
    node: 'n1',
    wan: 'wan',
    options: parseTrackerOptions({ targets: ['198.51.100.1'], count: 1 }),
    now: 0,
  });
  const [probe] = t.tick(0).probes;
  t.onResult({ probeId: probe!.probeId, ok: true, rttMs }, rttMs);
  return t;
}

describe('wanFigures', () => {
  it('reports the last cycle of a healthy WAN', () => {
    expect(wanFigures(answeredOnce(40).snapshot())).toEqual({
      state: 'up',
      status: 'online',
      latency_ms: 40,
      loss: 0,
    });
  });

  it('a cut WAN has no latency and 100% loss, not the figures from before the cut', () => {
    const t = answeredOnce(40);
    t.linkDown(100, 'carrier lost');
    expect(wanFigures(t.snapshot())).toEqual({
      state: 'down',
      status: 'offline',
      latency_ms: null,
      loss: 1,
    });
    expect(t.snapshot().targets[0]!.verdict).toBe('down');
  });

  it('a WAN whose probes all time out reads 100% loss and no latency', () => {
    const t = answeredOnce(40);
    const next = t.nextWakeAt()!;
    t.tick(next);
    t.tick(t.nextWakeAt()!); // the deadline passes with no answer
    expect(wanFigures(t.snapshot())).toMatchObject({ latency_ms: null, loss: 1 });
  });

  it('no tracker: state unknown, nothing measured', () => {
    expect(wanFigures(undefined)).toEqual({ state: 'unknown', latency_ms: null, loss: null });
  });
});
