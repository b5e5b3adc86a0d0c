/**
 * `intelli-mesh scan`: asks which nodes hear which, level by level to --depth, and prints the
 * neighbour graph (or JSON with --json).
 *
 * @example
 * intelli-mesh scan --depth 3 --address 42 --udp 127.0.0.1:4001 --peer 127.0.0.1:4000
 */
import { type Command, Option } from 'commander';
import { integerIn } from '../options.ts';
import { addLinkOptions, type LinkFlags, openUdpHost } from './meshlink-udp.ts';

interface ScanFlags extends LinkFlags {
  depth: number;
  window: number;
  json?: boolean;
}

export function registerScan(program: Command): void {
  addLinkOptions(
    program.command('scan').description('scan which nodes hear which, recursively, as a graph'),
  )
    .addOption(
      new Option('--depth <n>', 'levels to explore').argParser(integerIn(1, 16)).default(2),
    )
    .addOption(
      new Option('--window <ms>', 'how long each probe collects answers')
        .argParser(integerIn(10, 60_000))
        .default(300),
    )
    .option('--json', 'print the graph as JSON')
    .action(async (flags: ScanFlags) => {
      const { host, close } = await openUdpHost(flags, { scanWindowMs: flags.window });
      try {
        const graph = await host.scan(flags.depth);
        if (flags.json) {
          console.log(JSON.stringify(graph));
          return;
        }
        console.log(`nodes: ${graph.nodes.join(' ')}`);
        for (const [a, b] of graph.edges) console.log(`${a} -- ${b}`);
      } finally {
        await close();
      }
    });
}
