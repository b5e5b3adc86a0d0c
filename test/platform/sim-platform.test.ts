import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { SimPlatform } from '../../src/platform/sim/sim-platform.ts';
import { SimWan } from '../../src/sim/wan.ts';
import { platformCompliance } from './compliance.ts';

function wans(): Map<string, SimWan> {
  const rng = seededRandom(3);
  return new Map([
    ['wan1', new SimWan('wan1', { latencyMs: 5, loss: 0, bandwidthKbps: 0 }, rng.fork('1'))],
    ['wan2', new SimWan('wan2', { latencyMs: 8, loss: 0, bandwidthKbps: 0 }, rng.fork('2'))],
  ]);
}

platformCompliance(
  'sim (simulated WAN uplinks)',
  async () => {
    const w = wans();
    const platform = new SimPlatform({
      wans: w,
      scheduler: new RealScheduler(),
      random: seededRandom(9),
    });
    const names = ['wan1', 'wan2'] as const;
    return {
      platform,
      wans: ['wan1', 'wan2'],
      devices: ['wan1', 'wan2'],
      probeTarget: '198.51.100.1',
      carrier: async () => {
        const wan = platform.conntrack.open();
        if (wan === null || w.get(wan)!.state !== 'up') return null;
        return wan === 'wan1' ? 0 : 1;
      },
      breakWan: async (i) => w.get(names[i])!.setState('blackhole'),
      healWan: async (i) => w.get(names[i])!.setState('up'),
      residue: async () => platform.residue(),
      destroy: async () => platform.dispose(),
    };
  },
  null,
);

describe('SimPlatform on virtual time', () => {
  it('answers a probe after the round trip, and a lost one at its timeout', async () => {
    const s = new VirtualScheduler();
    const w = wans();
    const p = new SimPlatform({ wans: w, scheduler: s, random: seededRandom(1) });
    const req = { probeId: 'a', wan: 'wan2', target: 't', method: 'icmp' as const, timeoutMs: 100 };
    let got: unknown;
    void p.probe(req).then((r) => (got = r));
    s.advance(15);
    await Promise.resolve();
    expect(got).toBeUndefined();
    s.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual({ probeId: 'a', ok: true, rttMs: 16 });
    w.get('wan2')!.setState('blackhole');
    got = undefined;
    void p.probe(req).then((r) => (got = r));
    s.advance(99);
    await new Promise((r) => setImmediate(r));
    expect(got).toBeUndefined();
    s.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual({ probeId: 'a', ok: false });
  });

  it('reports carrier changes of its WANs and rejects unknown ones', async () => {
    const w = wans();
    const p = new SimPlatform({
      wans: w,
      scheduler: new VirtualScheduler(),
      random: seededRandom(1),
    });
    const seen: unknown[] = [];
    const stop = p.watchLinks((c) => seen.push(c));
    w.get('wan1')!.setState('down');
    w.get('wan1')!.setState('blackhole');
    stop();
    w.get('wan1')!.setState('up');
    expect(seen).toEqual([
      { device: 'wan1', carrier: false },
      { device: 'wan1', carrier: true },
    ]);
    await expect(
      p.probe({ probeId: 'x', wan: 'nope', target: 't', method: 'icmp', timeoutMs: 10 }),
    ).rejects.toMatchObject({ name: 'PlatformConfigError' });
  });
});
