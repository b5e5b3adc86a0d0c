import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../core/events.ts';
import { parseTrackerOptions, type TrackerOptionsInput } from './tracker-options.ts';
import { WanTracker, type ProbeRequest } from './wan-tracker.ts';

/** What the network answers for a probe sent at `at`: a round trip in ms, or null for lost. */
type Network = (probe: ProbeRequest, at: number) => number | null;

/** Drives a tracker on its own wake times until `endMs`, answering probes from `net`. */
function drive(options: TrackerOptionsInput, net: Network, endMs: number) {
  const t = new WanTracker({
    node: 'n1',
    wan: 'wan',
    options: parseTrackerOptions(options),
    now: 0,
  });
  const events: MeshEvent[] = [];
  const cycles: number[] = [];
  const answers: { at: number; probeId: string; rtt: number }[] = [];
  let now = 0;
  while (now <= endMs) {
    const out = t.tick(now);
    events.push(...out.events);
    if (out.probes.length > 0) cycles.push(now);
    for (const p of out.probes) {
      const rtt = net(p, now);
      if (rtt !== null && rtt < p.timeoutMs)
        answers.push({ at: now + rtt, probeId: p.probeId, rtt });
    }
    answers.sort((a, b) => a.at - b.at);
    const wake = t.nextWakeAt() ?? Number.POSITIVE_INFINITY;
    const next = answers[0];
    if (next && next.at <= wake) {
      answers.shift();
      now = next.at;
      events.push(...t.onResult({ probeId: next.probeId, ok: true, rttMs: next.rtt }, now));
    } else {
      now = wake;
    }
  }
  return { t, events, cycles };
}

describe('WanTracker (mwan3track semantics)', () => {
  it('goes offline after `down` failed cycles and back after `up` good ones (worked timeline)', () => {
    // interval 1000, timeout 200, failure_interval 500, recovery_interval 300, down 3, up 2.
    // Target dies at t=2500 and returns at t=6000.
    const dead = (at: number) => at >= 2500 && at < 6000;
    const { events, cycles } = drive(
      {
        targets: ['198.51.100.1'],
        intervalMs: 1000,
        timeoutMs: 200,
        failureIntervalMs: 500,
        recoveryIntervalMs: 300,
        down: 3,
        up: 2,
      },
      (_p, at) => (dead(at) ? null : 10),
      8000,
    );
    // Good cycles at 0,1000,2000; 3000 fails (score 5 -> 4), then failure_interval: 3500 (3),
    // 4000 (2 = up) -> offline when it times out at 4200, still on failure_interval: 4500 fails
    // (score stays 0, back to interval since keep_failure_interval is off): 5500 fails, 6500 good
    // (1) -> recovery_interval: 6800 good (2 = up) -> online when it answers at 6810.
    expect(cycles.slice(0, 10)).toEqual([0, 1000, 2000, 3000, 3500, 4000, 4500, 5500, 6500, 6800]);
    expect(events.map((e) => [e.at, e.from, e.to])).toEqual([
      [4200, 'online', 'offline'],
      [6810, 'offline', 'online'],
    ]);
    expect(events[0]!.reason).toContain('3 consecutive failed checks');
    expect(events[0]!.reason).toContain('198.51.100.1 down (loss 100%, no reply)');
  });

  it('does not flap on isolated losses: a good cycle while disconnecting restores the full score', () => {
    let n = 0;
    // Every third cycle is lost; down = 3 never sees three in a row.
    const { events, t } = drive(
      { targets: ['a'], intervalMs: 100, timeoutMs: 50, down: 3, up: 3 },
      () => (n++ % 3 === 2 ? null : 5),
      10_000,
    );
    expect(events).toEqual([]);
    expect(t.isOnline).toBe(true);
  });

  it('needs `reliability` targets up (k of n)', () => {
    const net: Network = (p) => (p.target === 'b' ? 5 : null);
    const one = drive(
      { targets: ['a', 'b', 'c'], reliability: 1, intervalMs: 100, timeoutMs: 50, down: 2, up: 2 },
      net,
      2000,
    );
    const two = drive(
      { targets: ['a', 'b', 'c'], reliability: 2, intervalMs: 100, timeoutMs: 50, down: 2, up: 2 },
      net,
      2000,
    );
    expect(one.events).toEqual([]);
    expect(two.events.map((e) => e.to)).toEqual(['offline']);
    expect(two.events[0]!.reason).toContain('1 of 3 targets up, reliability 2');
  });

  it('a recovering WAN drops back to score 0 on one failure (recovery needs `up` in a row)', () => {
    const good = new Set([0, 1, 3, 4, 5]);
    let cycle = 0;
    const { events } = drive(
      { targets: ['a'], intervalMs: 100, timeoutMs: 50, down: 1, up: 3, initialState: 'offline' },
      () => (good.has(cycle++) ? 5 : null),
      550,
    );
    // Cycles 0,1 good (score 2), 2 fails (0), 3,4,5 good -> online at cycle 5 (t=500+5).
    expect(events.map((e) => [e.at, e.to])).toEqual([[505, 'online']]);
  });

  it('quality mode: separate failure and recovery thresholds give hysteresis', () => {
    // Latency climbs to 700 ms (between recovery 500 and failure 1000): verdict held, no change.
    // From 3000, 1200 ms: the cycle at 3000 ends at 4200 (score 3), the next starts then and ends
    // at 5400 (score 2 = up) -> offline. 700 ms again from 5000: held down, stays offline. From
    // 8000, 100 ms: good at 8400 (1), recovery_interval 1000 -> good at 9400 -> online at 9500.
    const latency = (at: number) =>
      at < 1000 ? 100 : at < 3000 ? 700 : at < 5000 ? 1200 : at < 8000 ? 700 : 100;
    const { events } = drive(
      { targets: ['a'], intervalMs: 1000, timeoutMs: 2000, down: 2, up: 2, checkQuality: true },
      (_p, at) => latency(at),
      12_000,
    );
    expect(events.map((e) => [e.at, e.to])).toEqual([
      [4200 + 1200, 'offline'],
      [9400 + 100, 'online'],
    ]);
    expect(events[0]!.reason).toContain('1200 ms');
  });

  it('quality mode counts loss over `count` probes per target', () => {
    let k = 0;
    // 5 probes per cycle, 2 lost = 40 % >= failure_loss 40 -> down.
    const { events } = drive(
      {
        targets: ['a'],
        count: 5,
        intervalMs: 100,
        timeoutMs: 50,
        down: 2,
        up: 2,
        checkQuality: true,
      },
      () => (k++ % 5 < 2 ? null : 3),
      1000,
    );
    expect(events.map((e) => e.to)).toEqual(['offline']);
    expect(events[0]!.reason).toContain('loss 40%');
  });

  it('link down is immediate; probing resumes on link up', () => {
    const t = new WanTracker({
      node: 'n1',
      wan: 'wan',
      options: parseTrackerOptions({ targets: ['a'], intervalMs: 100, timeoutMs: 50, up: 2 }),
      now: 0,
    });
    const first = t.tick(0).probes[0]!;
    const ev = t.linkDown(10, 'carrier lost on eth1');
    expect(ev).toEqual([
      {
        at: 10,
        node: 'n1',
        kind: 'wan-state',
        subject: 'wan',
        from: 'online',
        to: 'offline',
        reason: 'carrier lost on eth1',
      },
    ]);
    expect(t.linkDown(11)).toEqual([]);
    expect(t.nextWakeAt()).toBeUndefined();
    expect(t.tick(500).probes).toEqual([]);
    // The late answer to the abandoned cycle is ignored, not an error.
    expect(t.onResult({ probeId: first.probeId, ok: true, rttMs: 1 }, 12)).toEqual([]);
    t.linkUp(600);
    const p1 = t.tick(600).probes[0]!;
    t.onResult({ probeId: p1.probeId, ok: true, rttMs: 1 }, 601);
    expect(t.status).toBe('connecting');
    const p2 = t.tick(700).probes[0]!;
    expect(t.onResult({ probeId: p2.probeId, ok: true, rttMs: 1 }, 701).map((e) => e.to)).toEqual([
      'online',
    ]);
  });

  it('rejects unknown ids and malformed results without changing state', () => {
    const t = new WanTracker({
      node: 'n1',
      wan: 'wan',
      options: parseTrackerOptions({ targets: ['a'] }),
      now: 0,
    });
    const p = t.tick(0).probes[0]!;
    expect(() => t.onResult({ probeId: 'wan#99', ok: true, rttMs: 1 }, 1)).toThrow(
      expect.objectContaining({ name: 'UnknownProbeError' }),
    );
    expect(() => t.onResult({ probeId: 'other#0', ok: false }, 1)).toThrow(
      expect.objectContaining({ name: 'UnknownProbeError' }),
    );
    expect(() => t.onResult({ probeId: p.probeId, ok: true, rttMs: -1 }, 1)).toThrow(
      expect.objectContaining({ name: 'InvalidProbeResultError' }),
    );
    // The probe is still pending: its real answer finishes the cycle.
    expect(t.nextWakeAt()).toBe(4000);
    t.onResult({ probeId: p.probeId, ok: true, rttMs: 1 }, 1);
    expect(t.nextWakeAt()).toBe(10_000);
    expect(t.snapshot().targets[0]).toMatchObject({ target: 'a', verdict: 'up', latencyMs: 1 });
  });
});

describe('parseTrackerOptions', () => {
  it('fills mwan3 defaults', () => {
    const o = parseTrackerOptions({ targets: ['a'] });
    expect(o).toMatchObject({
      reliability: 1,
      count: 1,
      timeoutMs: 4000,
      intervalMs: 10_000,
      down: 5,
      up: 5,
    });
    expect(o.failureIntervalMs).toBe(10_000);
  });
  it.each([
    [{ targets: [] }, 'targets'],
    [{ targets: ['a'], down: 0 }, 'down'],
    [{ targets: ['a'], reliability: 2 }, 'reliability'],
    [{ targets: ['a'], intervalMs: -5 }, 'intervalMs'],
    [{ targets: ['a'], checkQuality: true, recoveryLossPct: 50 }, 'recoveryLossPct'],
    [{ targets: ['a'], bogus: 1 }, '(root)'],
  ])('rejects %j naming %s', (input, path) => {
    expect(() => parseTrackerOptions(input)).toThrow(
      expect.objectContaining({ name: 'HealthConfigError', path }),
    );
  });
});
