/**
 * Serial framing cost (COBS + CRC-16 encode and decode of 255-byte frames) and the serial
 * medium end to end over an in-memory duplex pair and over a socat pty pair. A pty has no baud
 * rate limit, so its figure is the software ceiling, not a USB dongle's speed.
 *
 * Run: npx tsx bench/transport-serial.ts
 */
import { duplexPair } from 'node:stream';
import { seededRandom } from '../src/core/random.ts';
import { encodeSerialFrame, SerialDeframer } from '../src/transport/serial-framing.ts';
import {
  createSerialMedium,
  openSerialMedium,
  type SerialMedium,
} from '../src/transport/serial-medium.ts';
import { openPtyPair, socatAvailable } from '../test/transport/socat-pty.ts';
import { BenchReport } from './bench-report.ts';

const report = new BenchReport('transport-serial');
const rng = seededRandom(1);
const frames = Array.from({ length: 1000 }, () =>
  Uint8Array.from({ length: 255 }, () => rng.int(256)),
);

{
  const rounds = 200;
  let bytes = 0;
  let decoded = 0;
  const deframer = new SerialDeframer(255, () => decoded++);
  const cpuStart = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (const f of frames) {
      const wire = encodeSerialFrame(f);
      bytes += wire.length;
      deframer.push(wire);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (decoded !== rounds * frames.length) throw new Error('frames lost in the codec');
  report.add('codec-255B', {
    frames: decoded,
    cpuSeconds,
    framesPerCpuSecond: decoded / cpuSeconds,
    wireBytesPerFrame: bytes / decoded,
  });
}

async function endToEnd(scenario: string, a: SerialMedium, b: SerialMedium): Promise<void> {
  const total = 20_000;
  const window = 64;
  let received = 0;
  b.onFrame(() => received++);
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < total && sent - received < window) a.send(frames[sent++ % frames.length]!);
      if (received >= total) resolve();
      else setImmediate(pump);
    };
    pump();
  });
  const seconds = (performance.now() - start) / 1000;
  report.add(scenario, {
    frames: total,
    wallSeconds: seconds,
    framesPerSecond: total / seconds,
    dropped: b.counters.dropped,
  });
}

{
  const [left, right] = duplexPair();
  const a = createSerialMedium(left, { peer: 'b' });
  const b = createSerialMedium(right, { peer: 'a' });
  await endToEnd('duplex-pair-255B', a, b);
  await a.close();
  await b.close();
}

if (socatAvailable()) {
  const pair = await openPtyPair();
  const a = await openSerialMedium({ path: pair.paths[0] });
  const b = await openSerialMedium({ path: pair.paths[1] });
  await endToEnd('socat-pty-255B', a, b);
  await a.close();
  await b.close();
  await pair.close();
} else {
  console.log('transport-serial: socat is missing, pty scenario skipped');
}

// What a real dongle allows: 8N1 carries 10 bits per byte, and a 255-byte frame takes at most
// 261 bytes on the wire (2 CRC, 2 COBS codes, 2 delimiters).
for (const baud of [57_600, 115_200, 1_000_000]) {
  report.add(`line-rate-${baud}`, { framesPerSecond: baud / 10 / 261 });
}
await report.write();
