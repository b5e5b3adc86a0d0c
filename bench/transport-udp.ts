/**
 * UDP medium on loopback: throughput of 255-byte frames with a bounded window (what a node
 * can push without overrunning the receiver) and round-trip latency of a ping-pong.
 *
 * Run: npx tsx bench/transport-udp.ts
 */
import { openUdpMedium } from '../src/transport/udp-medium.ts';
import { BenchReport } from './bench-report.ts';

const report = new BenchReport('transport-udp');
const a = await openUdpMedium({ bind: '127.0.0.1:0' });
const b = await openUdpMedium({ bind: '127.0.0.1:0', peers: [a.address] });
a.addPeer(b.address);

// Throughput: keep at most `window` frames in flight, as the receiver counts them in.
{
  const total = 200_000;
  const window = 256;
  let received = 0;
  const frame = new Uint8Array(255);
  const off = b.onFrame(() => received++);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < total && sent - received < window) {
        a.send(frame);
        sent++;
      }
      if (received >= total) resolve();
      else setImmediate(pump);
    };
    pump();
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  off();
  report.add('throughput-255B', {
    frames: total,
    wallSeconds: seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    framesPerSecond: total / seconds,
    megabitsPerSecond: (total * 255 * 8) / seconds / 1e6,
    receiverDropped: b.counters.dropped,
  });
}

// Latency: one frame in flight, echoed back.
{
  const rounds = 5_000;
  const samples: number[] = [];
  const offEcho = b.onFrame((frame, from) => b.send(frame, from));
  let t0 = 0;
  await new Promise<void>((resolve) => {
    const offA = a.onFrame(() => {
      samples.push(performance.now() - t0);
      if (samples.length === rounds) {
        offA();
        resolve();
      } else ping();
    });
    const ping = () => {
      t0 = performance.now();
      a.send(Uint8Array.of(1, 2, 3, 4), b.address);
    };
    ping();
  });
  offEcho();
  samples.sort((x, y) => x - y);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  report.add('round-trip-4B', {
    rounds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: samples.at(-1)!,
  });
}

await a.close();
await b.close();
await report.write();
