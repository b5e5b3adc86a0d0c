/**
 * `intelli-mesh meshlink-demo`: the radio mesh protocol demo.
 * Five nodes in a line on the in-memory medium (nRF24-sized 32-byte frames, 5% loss per link,
 * real time) exchange pings, scan the mesh, and carry a fragmented message end to end.
 *
 * @example
 * intelli-mesh meshlink-demo --loss 0.05
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { seededRandom } from '../../core/random.ts';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { MeshlinkHost } from '../../meshlink/meshlink-host.ts';
import { MemoryHub, UniformLinkModel } from '../../transport/index.ts';
import { integerIn } from '../options.ts';

interface MeshlinkDemoFlags {
  nodes: number;
  loss: number;
  seed: number;
}

const probability = (v: string): number => {
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v.trim()) || n < 0 || n >= 1) {
    throw new InvalidArgumentError(`'${v}' is not a loss probability in [0, 1).`);
  }
  return n;
};

export function registerMeshlinkDemo(program: Command): void {
  program
    .command('meshlink-demo')
    .description(
      'protocol demo: nodes on the in-memory medium exchange pings, a scan and a message',
    )
    .addOption(
      new Option('--nodes <n>', 'nodes in the line').argParser(integerIn(2, 20)).default(5),
    )
    .addOption(new Option('--loss <p>', 'frame loss per link').argParser(probability).default(0.05))
    .addOption(
      new Option('--seed <n>', 'seed of the loss and jitter')
        .argParser(integerIn(0, 2 ** 31))
        .default(1),
    )
    .action(async (flags: MeshlinkDemoFlags) => {
      const scheduler = new RealScheduler();
      // RealScheduler's timers do not hold the process open; the demo must, until it is done.
      const keepAlive = setInterval(() => {}, 1000);
      const addresses = Array.from({ length: flags.nodes }, (_, i) => i + 1);
      const model = UniformLinkModel.line(
        addresses.map((a) => `node-${a}`),
        { lossRate: flags.loss, latencyMs: 5, jitterMs: 3, seed: flags.seed },
      );
      const hub = new MemoryHub(scheduler, model, { mtu: 32 });
      const rng = seededRandom(flags.seed);
      const hosts = addresses.map(
        (address) =>
          new MeshlinkHost({
            address,
            medium: hub.attach(`node-${address}`),
            scheduler,
            random: rng.fork(`node-${address}`),
          }),
      );
      const first = hosts[0]!;
      const last = hosts[hosts.length - 1]!;
      console.log(
        `meshlink demo: ${flags.nodes} nodes in a line (${addresses.join(' - ')}), ` +
          `32-byte frames, ${(flags.loss * 100).toFixed(0)}% loss per link`,
      );
      last.on('message', (from: number, data: Uint8Array, hops: number) => {
        console.log(
          `node ${last.address} reassembled a ${data.length}-byte message from ${from} ` +
            `(${hops} relays): "${new TextDecoder().decode(data.subarray(0, 48))}…"`,
        );
      });
      for (let i = 1; i <= 4; i++) {
        try {
          const r = await first.ping(last.address);
          console.log(
            `ping ${i}: pong from ${r.from} in ${r.rttMs.toFixed(1)} ms over ${r.hops} relays`,
          );
        } catch (err) {
          console.log(`ping ${i}: ${(err as Error).message}`);
        }
      }
      const graph = await first.scan(flags.nodes);
      console.log(`scan from node ${first.address}: nodes ${graph.nodes.join(' ')}`);
      console.log(`  edges ${graph.edges.map(([a, b]) => `${a}-${b}`).join(' ')}`);
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(14);
      const message = new TextEncoder().encode(text);
      const started = scheduler.now();
      try {
        await first.send(last.address, message);
        console.log(
          `node ${first.address} got the receipt: ${message.length} bytes in ` +
            `${Math.ceil(message.length / 16)} fragments, ${(scheduler.now() - started).toFixed(0)} ms`,
        );
      } catch (err) {
        console.log(`send failed: ${(err as Error).message}`);
        process.exitCode = 1;
      }
      const c = hub.counters;
      console.log(`medium: ${c.sent} frames sent, ${c.delivered} copies delivered, ${c.lost} lost`);
      for (const h of hosts) h.close();
      clearInterval(keepAlive);
    });
}
