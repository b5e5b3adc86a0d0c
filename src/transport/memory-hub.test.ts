import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../core/virtual-scheduler.ts';
import type { LinkModel } from './link-model.ts';
import { MemoryHub } from './memory-hub.ts';
import { UniformLinkModel } from './uniform-link-model.ts';

type Heard = [string, string, number[]];

function line(names: string[], options = {}) {
  const scheduler = new VirtualScheduler();
  const model = UniformLinkModel.line(names, options);
  const hub = new MemoryHub(scheduler, model);
  const heard: Heard[] = [];
  const media = names.map((name) => {
    const m = hub.attach(name);
    m.onFrame((frame, from) => heard.push([name, from, [...frame]]));
    return m;
  });
  return { scheduler, model, hub, heard, media };
}

describe('MemoryHub', () => {
  it('delivers a broadcast to the neighbours only, after the link latency', () => {
    const { scheduler, heard, media } = line(['A', 'B', 'C'], { latencyMs: 4 });
    media[1]!.send(Uint8Array.of(7));
    scheduler.runUntil(3);
    expect(heard).toEqual([]);
    scheduler.runUntil(4);
    expect(heard).toEqual([
      ['A', 'B', [7]],
      ['C', 'B', [7]],
    ]);
    media[0]!.send(Uint8Array.of(8));
    scheduler.runAll();
    expect(heard.slice(2)).toEqual([['B', 'A', [8]]]);
  });

  it('delivers a unicast only to a neighbour it names', () => {
    const { scheduler, heard, media } = line(['A', 'B', 'C']);
    media[1]!.send(Uint8Array.of(1), 'C');
    media[0]!.send(Uint8Array.of(2), 'C'); // C is two hops away: not in reach
    scheduler.runAll();
    expect(heard).toEqual([['C', 'B', [1]]]);
  });

  it('copies frames at send time, separately for each receiver', () => {
    const { scheduler, media } = line(['A', 'B', 'C']);
    const got: Uint8Array[] = [];
    media[0]!.onFrame((f) => {
      f[0] = 99; // a receiver scribbling on its copy
      got.push(f);
    });
    media[2]!.onFrame((f) => got.push(f));
    const buffer = Uint8Array.of(1, 2, 3);
    media[1]!.send(buffer);
    buffer.fill(0);
    scheduler.runAll();
    expect(got.map((f) => [...f])).toEqual([
      [99, 2, 3],
      [1, 2, 3],
    ]);
  });

  it('drops copies in flight to a node that closed, and frees its name', async () => {
    const { scheduler, hub, heard, media } = line(['A', 'B'], { latencyMs: 10 });
    media[0]!.send(Uint8Array.of(1));
    await media[1]!.close();
    await media[1]!.close();
    const again = hub.attach('B');
    const late: number[][] = [];
    again.onFrame((f) => late.push([...f]));
    scheduler.runAll();
    expect(heard).toEqual([]);
    expect(late).toEqual([]); // the copy was for the old endpoint
    media[0]!.send(Uint8Array.of(2));
    scheduler.runAll();
    expect(late).toEqual([[2]]);
    expect(hub.attached()).toEqual(['A', 'B']);
  });

  it('rejects a duplicate name, oversize frames and sends after close', async () => {
    const { hub, media } = line(['A', 'B']);
    expect(() => hub.attach('A')).toThrow(expect.objectContaining({ name: 'DuplicateNodeError' }));
    expect(() => media[0]!.send(new Uint8Array(33))).toThrow(
      expect.objectContaining({ name: 'FrameTooLargeError', size: 33, mtu: 32 }),
    );
    await media[0]!.close();
    expect(() => media[0]!.send(new Uint8Array(1))).toThrow(
      expect.objectContaining({ name: 'ClosedError' }),
    );
    expect(() => hub.attach('C', { mtu: 0 })).toThrow(/mtu/);
  });

  it('honours per-node and per-hub MTUs', () => {
    const scheduler = new VirtualScheduler();
    const hub = new MemoryHub(scheduler, UniformLinkModel.fullMesh(['A', 'B']), { mtu: 255 });
    const a = hub.attach('A');
    const b = hub.attach('B', { mtu: 16 });
    expect(a.mtu).toBe(255);
    expect(b.mtu).toBe(16);
    expect(() => a.send(new Uint8Array(255))).not.toThrow();
    expect(() => b.send(new Uint8Array(17))).toThrow(/16 bytes/);
  });

  it('counts sent, delivered and lost copies; loss follows the model', () => {
    const { scheduler, hub, media } = line(['A', 'B', 'C'], { lossRate: 0.25, seed: 11 });
    for (let i = 0; i < 4000; i++) media[1]!.send(Uint8Array.of(i & 0xff));
    scheduler.runAll();
    const { sent, delivered, lost } = hub.counters;
    expect(sent).toBe(4000);
    expect(delivered + lost).toBe(8000);
    expect(Math.abs(lost - 2000)).toBeLessThan(250);
    expect(media[0]!.counters.framesIn + media[2]!.counters.framesIn).toBe(delivered);
    expect(media[0]!.counters.dropped + media[2]!.counters.dropped).toBe(lost);
    expect(media[1]!.counters.framesOut).toBe(4000);
  });

  it('replays identically for the same seed', () => {
    const run = (seed: number) => {
      const { scheduler, heard, media } = line(['A', 'B', 'C', 'D', 'E'], {
        lossRate: 0.1,
        jitterMs: 3,
        seed,
      });
      for (let i = 0; i < 300; i++) media[i % 5]!.send(Uint8Array.of(i & 0xff));
      scheduler.runAll();
      return heard;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('follows cuts and heals of the link model', () => {
    const { scheduler, model, heard, media } = line(['A', 'B']);
    model.cut('A', 'B');
    media[0]!.send(Uint8Array.of(1));
    scheduler.runAll();
    model.heal('A', 'B');
    media[0]!.send(Uint8Array.of(2));
    scheduler.runAll();
    expect(heard).toEqual([['B', 'A', [2]]]);
  });

  it('works with any LinkModel, and never echoes a frame to its sender', () => {
    const scheduler = new VirtualScheduler();
    const model: LinkModel = {
      neighbours: () => ['a', 'b', 'ghost'],
      transmit: (_f, _t, bytes) => ({ delivered: true, delayMs: bytes }),
    };
    const hub = new MemoryHub(scheduler, model);
    const a = hub.attach('a');
    const b = hub.attach('b');
    const at: [string, number][] = [];
    a.onFrame(() => at.push(['a', scheduler.now()]));
    b.onFrame(() => at.push(['b', scheduler.now()]));
    a.send(new Uint8Array(6));
    scheduler.runAll();
    expect(at).toEqual([['b', 6]]);
  });

  it('stops calling a listener once it unsubscribes', () => {
    const { scheduler, media } = line(['A', 'B']);
    const seen: number[] = [];
    const off = media[1]!.onFrame((f) => seen.push(f[0]!));
    media[0]!.send(Uint8Array.of(1));
    scheduler.runAll();
    off();
    media[0]!.send(Uint8Array.of(2));
    scheduler.runAll();
    expect(seen).toEqual([1]);
  });
});
