import { describe, expect, it } from 'vitest';
import { ControllerStore } from './controller-store.ts';

describe('MetricRepo downsampling and retention', () => {
  it('rolls 10 s buckets into minutes and hours without double counting', async () => {
    const store = await ControllerStore.open(':memory:');
    const m = store.metrics;
    // One sample every 5 s for 2 h: value = minute index, so aggregates are checkable.
    const end = 2 * 3_600_000;
    let since = 0;
    for (let t = 0; t < end; t += 5_000) {
      await m.record('n1', 'lat', t, Math.floor(t / 60_000));
      // Compact every 7 minutes, as the controller's timer would.
      if (t % 420_000 === 0 && t > 0) since = await m.compact(since, t);
    }
    since = await m.compact(since, end);
    const minutes = await m.query('n1', 'lat', 0, end, end + 8 * 3_600_000);
    expect(minutes).toHaveLength(120);
    expect(minutes[7]).toEqual({ at: 420_000, count: 12, avg: 7, min: 7, max: 7 });
    const hours = await m.query('n1', 'lat', 0, end, end + 30 * 86_400_000);
    expect(hours).toEqual([
      { at: 0, count: 720, avg: 29.5, min: 0, max: 59 },
      { at: 3_600_000, count: 720, avg: 89.5, min: 60, max: 119 },
    ]);
    const raw = await m.query('n1', 'lat', end - 60_000, end, end);
    expect(raw.every((p) => p.count === 2)).toBe(true);
  });

  it('drops each level past its retention', async () => {
    const store = await ControllerStore.open(':memory:');
    const m = store.metrics;
    await m.record('n1', 'lat', 0, 1);
    await m.compact(0, 7 * 3_600_000);
    expect(await m.query('n1', 'lat', 0, 10_000, 0)).toEqual([]);
    expect(await m.query('n1', 'lat', 0, 10_000, 8 * 86_400_000)).toEqual([
      { at: 0, count: 1, avg: 1, min: 1, max: 1 },
    ]);
    await m.compact(7 * 3_600_000, 91 * 86_400_000);
    expect(await m.query('n1', 'lat', 0, 10_000, 91 * 86_400_000)).toEqual([]);
  });
  it('aggregates samples of one 10 s bucket: count, sum, min and max, per node and series', async () => {
    const m = (await ControllerStore.open(':memory:')).metrics;
    for (const [at, v] of [
      [20_000, 5],
      [21_000, 2],
      [29_999, 11],
      [30_000, 4],
    ] as const) {
      await m.record('n1', 'lat', at, v);
    }
    await m.record('n2', 'lat', 20_500, 100);
    await m.record('n1', 'loss', 20_500, 0.5);
    expect(await m.query('n1', 'lat', 0, 60_000, 60_000)).toEqual([
      { at: 20_000, count: 3, avg: 6, min: 2, max: 11 },
      { at: 30_000, count: 1, avg: 4, min: 4, max: 4 },
    ]);
    expect(await m.query('n2', 'lat', 0, 60_000, 60_000)).toEqual([
      { at: 20_000, count: 1, avg: 100, min: 100, max: 100 },
    ]);
  });
});
