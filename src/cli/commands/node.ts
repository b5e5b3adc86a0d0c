/**
 * `intelli-mesh node`: a meshlink node on UDP that answers pings and scans, relays, prints the
 * messages it receives and echoes back whatever arrives on a connection. Runs until SIGINT or
 * SIGTERM (or `--duration` ms).
 *
 * @example
 * intelli-mesh node --address 69 --udp 127.0.0.1:4000 --peer 127.0.0.1:4001
 */
import type { Command } from 'commander';
import type { MeshEvent } from '../../core/events.ts';
import type { MeshStream } from '../../meshlink/mesh-stream.ts';
import { integerIn } from '../options.ts';
import { addLinkOptions, type LinkFlags, openUdpHost } from './meshlink-udp.ts';

interface NodeFlags extends LinkFlags {
  duration?: number;
}

export function registerNode(program: Command): void {
  addLinkOptions(
    program
      .command('node')
      .description(
        'run a meshlink node on UDP: answers pings and scans, relays, accepts connections',
      ),
  )
    .option(
      '--duration <ms>',
      'stop after this long (default: run until interrupted)',
      integerIn(1, 2 ** 31),
    )
    .action(async (flags: NodeFlags) => {
      const { host, bound, close } = await openUdpHost(flags);
      const text = new TextDecoder();
      host.on('message', (from: number, data: Uint8Array, hops: number) => {
        console.log(
          `message from ${from} (${data.length} bytes, ${hops} hops): ${printable(text.decode(data))}`,
        );
      });
      host.on('unreachable', (e: MeshEvent) =>
        console.log(`unreachable ${e.subject}: ${e.reason}`),
      );
      host.on('connection', (stream: MeshStream) => {
        console.log(`connection from ${stream.peer}`);
        // An echo service, so a peer can try the stream API end to end.
        stream.on('data', (chunk: Buffer) => stream.write(chunk));
        stream.on('end', () => {
          console.log(`connection from ${stream.peer} ended`);
          stream.end();
        });
        stream.on('error', (err: Error) =>
          console.log(`connection from ${stream.peer}: ${err.message}`),
        );
      });
      console.log(
        `node ${flags.address} listening on ${bound}, peers: ${(flags.peer ?? []).join(', ') || 'none'}`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (flags.duration !== undefined) setTimeout(stop, flags.duration);
      });
      const s = host.node.stats;
      const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
      console.log(
        `node ${flags.address} stopping: frames in ${s.framesIn}, out ${s.framesOut}, ` +
          `relayed ${s.relayed}, rejected ${rejected}, duplicates ${s.duplicates}`,
      );
      await close();
    });
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '.');
}
