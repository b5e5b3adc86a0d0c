/**
 * How many frame copies per CPU second the memory hub delivers on virtual time (what bounds the
 * simulator), for a long line, a dense lossy jittery mesh and unicast traffic.
 *
 * Run: npx tsx bench/transport-memory.ts
 */
import { VirtualScheduler } from '../src/core/virtual-scheduler.ts';
import { MemoryHub } from '../src/transport/memory-hub.ts';
import { UniformLinkModel } from '../src/transport/uniform-link-model.ts';
import { BenchReport } from './bench-report.ts';

const report = new BenchReport('transport-memory');

function run(
  scenario: string,
  names: string[],
  model: UniformLinkModel,
  framesPerNode: number,
  unicast: boolean,
): void {
  const scheduler = new VirtualScheduler();
  const hub = new MemoryHub(scheduler, model);
  const media = names.map((n) => hub.attach(n));
  let received = 0;
  for (const m of media) m.onFrame(() => received++);
  const frame = new Uint8Array(32);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  // Interleave sends with virtual time so the queue stays at a realistic depth.
  for (let round = 0; round < framesPerNode; round++) {
    for (let i = 0; i < media.length; i++) {
      frame[0] = round & 0xff;
      const to = unicast ? names[(i + 1) % names.length] : undefined;
      media[i]!.send(frame, to);
    }
    scheduler.advance(1);
  }
  scheduler.runAll();
  const seconds = (performance.now() - start) / 1000;
  // The machine is shared: CPU time is the figure that does not depend on the neighbours' load.
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const { sent, delivered, lost } = hub.counters;
  if (received !== delivered) throw new Error(`listeners saw ${received}, hub ${delivered}`);
  report.add(scenario, {
    nodes: names.length,
    framesSent: sent,
    copiesDelivered: delivered,
    copiesLost: lost,
    wallSeconds: seconds,
    cpuSeconds,
    framesPerCpuSecond: sent / cpuSeconds,
    copiesPerCpuSecond: (delivered + lost) / cpuSeconds,
  });
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

run('line-100-lossless', names(100), UniformLinkModel.line(names(100)), 10_000, false);
run(
  'mesh-20-loss10-jitter5',
  names(20),
  UniformLinkModel.fullMesh(names(20), { lossRate: 0.1, jitterMs: 5, seed: 1 }),
  5_000,
  false,
);
run(
  'ring-200-unicast-loss10',
  names(200),
  UniformLinkModel.line(names(200), { lossRate: 0.1, seed: 1 }).link('n199', 'n0'),
  5_000,
  true,
);
await report.write();
