/**
 * Delivery of 1 KB messages over 3 relays (a line of 5 nodes) with 10% frame loss on every link,
 * on the in-memory medium in virtual time: delivery ratio, median and p99 latency from `send`
 * to reassembly at the destination. Runs at nRF24 frames (32 bytes, 64 fragments a message)
 * and at 255-byte frames (5 fragments). Writes bench/results/meshlink-delivery.json.
 *
 * @example
 * npx tsx bench/meshlink-delivery.ts            # 2000 messages per MTU
 * npx tsx bench/meshlink-delivery.ts 500        # quicker
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../src/core/random.ts';
import { VirtualScheduler } from '../src/core/virtual-scheduler.ts';
import { MeshlinkHost } from '../src/meshlink/meshlink-host.ts';
import { MemoryHub, UniformLinkModel } from '../src/transport/index.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const messages = Number(process.argv[2] ?? 2000);
const LOSS = 0.1;
const SIZE = 1024;

interface Outcome {
  mtu: number;
  messages: number;
  delivered: number;
  failed: number;
  deliveryRatio: number;
  medianLatencyMs: number;
  p99LatencyMs: number;
  framesSent: number;
  framesLost: number;
  wallSeconds: number;
}

async function runAt(mtu: number): Promise<Outcome> {
  const started = performance.now();
  const scheduler = new VirtualScheduler();
  const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
  const model = UniformLinkModel.line(names, {
    lossRate: LOSS,
    latencyMs: 2,
    jitterMs: 1,
    seed: mtu,
  });
  const hub = new MemoryHub(scheduler, model, { mtu });
  const rng = seededRandom(mtu);
  const hosts = names.map(
    (name, i) =>
      new MeshlinkHost({
        address: i + 1,
        medium: hub.attach(name),
        scheduler,
        random: rng.fork(name),
      }),
  );
  const src = hosts[0]!;
  const dst = hosts[4]!;
  let arrivedAt: number | undefined;
  let arrivedBytes = 0;
  dst.on('message', (_from: number, data: Uint8Array) => {
    arrivedAt = scheduler.now();
    arrivedBytes = data.length;
  });
  const latencies: number[] = [];
  let failed = 0;
  const payload = Uint8Array.from({ length: SIZE }, (_, i) => i & 0xff);
  for (let m = 0; m < messages; m++) {
    arrivedAt = undefined;
    const t0 = scheduler.now();
    let settled = false;
    src.send(5, payload).then(
      () => (settled = true),
      () => (settled = true),
    );
    let steps = 0;
    while (!settled) {
      if (!scheduler.step()) {
        await Promise.resolve();
        if (!settled) break;
      }
      if (++steps % 64 === 0) await Promise.resolve();
    }
    await Promise.resolve();
    if (arrivedAt !== undefined && arrivedBytes === SIZE) latencies.push(arrivedAt - t0);
    else failed++;
    // Let the stragglers (late ACKs, retries of lost ACKs) finish before the next message.
    scheduler.advance(1000);
  }
  for (const h of hosts) h.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    mtu,
    messages,
    delivered: latencies.length,
    failed,
    deliveryRatio: latencies.length / messages,
    medianLatencyMs: q(0.5),
    p99LatencyMs: q(0.99),
    framesSent: hub.counters.sent,
    framesLost: hub.counters.lost,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

const results: Outcome[] = [];
for (const mtu of [32, 255]) {
  const r = await runAt(mtu);
  results.push(r);
  console.log(
    `MTU ${mtu}: ${r.delivered}/${r.messages} delivered (${(r.deliveryRatio * 100).toFixed(2)}%), ` +
      `latency median ${r.medianLatencyMs.toFixed(1)} ms, p99 ${r.p99LatencyMs.toFixed(1)} ms (virtual), ` +
      `${r.framesSent} frames sent, ${r.framesLost} lost, ${r.wallSeconds.toFixed(1)} s wall`,
  );
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'meshlink-delivery.json'),
  JSON.stringify(
    {
      bench: 'meshlink-delivery',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      setup: { relays: 3, lossPerLink: LOSS, messageBytes: SIZE, latencyMs: 2, jitterMs: 1 },
      results,
    },
    null,
    2,
  ) + '\n',
);
