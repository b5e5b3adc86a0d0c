import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { UniformLinkModel } from './uniform-link-model.ts';

describe('UniformLinkModel', () => {
  it('builds a line and a full mesh', () => {
    const line = UniformLinkModel.line(['A', 'B', 'C', 'D']);
    expect(line.neighbours('A')).toEqual(['B']);
    expect(line.neighbours('B')).toEqual(['A', 'C']);
    expect(line.neighbours('D')).toEqual(['C']);
    expect(line.neighbours('Z')).toEqual([]);
    const mesh = UniformLinkModel.fullMesh(['A', 'B', 'C', 'D']);
    expect([...mesh.neighbours('C')].sort()).toEqual(['A', 'B', 'D']);
  });

  it('loses close to lossRate of the copies, the same ones for the same seed', () => {
    const run = (seed: number) => {
      const m = UniformLinkModel.line(['A', 'B'], { lossRate: 0.1, seed });
      const fates: boolean[] = [];
      for (let i = 0; i < 100_000; i++) fates.push(m.transmit('A', 'B', 32, i).delivered);
      return fates;
    };
    const a = run(3);
    const lost = a.filter((d) => !d).length;
    // 100k Bernoulli(0.1) draws: sd is about 95, so ±600 is beyond six sigma.
    expect(Math.abs(lost - 10_000)).toBeLessThan(600);
    expect(run(3)).toEqual(a);
    expect(run(4)).not.toEqual(a);
  });

  it('keeps the draws of one link independent of traffic on another', () => {
    const fates = (withNoise: boolean) => {
      const m = UniformLinkModel.fullMesh(['A', 'B', 'C'], { lossRate: 0.5, seed: 9 });
      const out: boolean[] = [];
      for (let i = 0; i < 200; i++) {
        if (withNoise) m.transmit('B', 'C', 1, i);
        out.push(m.transmit('A', 'B', 1, i).delivered);
      }
      return out;
    };
    expect(fates(true)).toEqual(fates(false));
  });

  it('keeps delays within latency + [0, jitter) and the link FIFO by default', () => {
    const m = UniformLinkModel.line(['A', 'B'], { latencyMs: 5, jitterMs: 20, seed: 1 });
    let lastArrival = -Infinity;
    const delays: number[] = [];
    for (let t = 0; t < 10_000; t++) {
      const { delivered, delayMs } = m.transmit('A', 'B', 8, t);
      expect(delivered).toBe(true);
      expect(delayMs).toBeGreaterThanOrEqual(5);
      expect(t + delayMs).toBeGreaterThanOrEqual(lastArrival);
      lastArrival = t + delayMs;
      delays.push(delayMs);
    }
    // Jitter is really drawn: the delays are spread, not all equal to the latency.
    expect(new Set(delays).size).toBeGreaterThan(1000);
  });

  it('lets jitter reorder copies when reorder is on, within the jitter bound', () => {
    const m = UniformLinkModel.line(['A', 'B'], {
      latencyMs: 5,
      jitterMs: 20,
      seed: 1,
      reorder: true,
    });
    let overtaken = 0;
    let lastArrival = -Infinity;
    for (let t = 0; t < 1000; t++) {
      const { delayMs } = m.transmit('A', 'B', 8, t);
      expect(delayMs).toBeGreaterThanOrEqual(5);
      expect(delayMs).toBeLessThan(25);
      if (t + delayMs < lastArrival) overtaken++;
      lastArrival = Math.max(lastArrival, t + delayMs);
    }
    expect(overtaken).toBeGreaterThan(0);
  });

  it('cuts and heals links at run time', () => {
    const m = UniformLinkModel.line(['A', 'B', 'C']);
    m.cut('B', 'C');
    expect(m.neighbours('B')).toEqual(['A']);
    expect(m.neighbours('C')).toEqual([]);
    expect(m.isUp('B', 'C')).toBe(false);
    expect(m.transmit('B', 'C', 1, 0).delivered).toBe(false);
    m.heal('C', 'B');
    expect(m.neighbours('B')).toEqual(['A', 'C']);
    expect(m.transmit('B', 'C', 1, 0)).toEqual({ delivered: true, delayMs: 1 });
    m.unlink('A', 'B');
    expect(m.neighbours('A')).toEqual([]);
    expect(() => m.cut('A', 'B')).toThrow(
      expect.objectContaining({ name: 'InvalidMediumOptionError' }),
    );
  });

  it('tunes one direction only', () => {
    const m = UniformLinkModel.line(['A', 'B'], { latencyMs: 2 });
    m.tune('A', 'B', { lossRate: 1 });
    expect(m.transmit('A', 'B', 1, 0).delivered).toBe(false);
    expect(m.transmit('B', 'A', 1, 0)).toEqual({ delivered: true, delayMs: 2 });
    m.link('A', 'B', { latencyMs: 7, lossRate: 0 });
    expect(m.transmit('A', 'B', 1, 0)).toEqual({ delivered: true, delayMs: 7 });
  });

  it('rejects bad options with a typed error naming the option', () => {
    const bad = [
      { lossRate: 1.5 },
      { lossRate: Number.NaN },
      { latencyMs: -1 },
      { jitterMs: Number.POSITIVE_INFINITY },
    ];
    for (const options of bad) {
      const key = Object.keys(options)[0]!;
      expect(() => new UniformLinkModel(options)).toThrow(
        expect.objectContaining({ name: 'InvalidMediumOptionError', option: key }),
      );
    }
    expect(() => new UniformLinkModel({ links: [['A', 'A']] })).toThrow(/two distinct nodes/);
  });

  it('accepts an injected Random', () => {
    const a = new UniformLinkModel({ links: [['A', 'B']], lossRate: 0.5, random: seededRandom(5) });
    const b = new UniformLinkModel({ links: [['A', 'B']], lossRate: 0.5, seed: 5 });
    const fates = (m: UniformLinkModel) =>
      Array.from({ length: 64 }, (_, i) => m.transmit('A', 'B', 1, i).delivered);
    expect(fates(a)).toEqual(fates(b));
  });
});
