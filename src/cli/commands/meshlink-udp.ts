/**
 * What the meshlink sub-commands (node, ping, scan, send) share: their link flags and a
 * MeshlinkHost on a UDP medium with wall-clock time.
 *
 * @example
 * addLinkOptions(new Command('ping')).action(async (opts) => {
 *   const { host, close } = await openUdpHost(opts);
 * });
 */
import { randomInt } from 'node:crypto';
import { type Command, Option } from 'commander';
import { seededRandom } from '../../core/random.ts';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { MeshlinkHost, type MeshlinkHostOptions } from '../../meshlink/meshlink-host.ts';
import { openUdpMedium } from '../../transport/udp-medium.ts';
import { collect, integerIn, parseHostPort } from '../options.ts';

export interface LinkFlags {
  address: number;
  udp: string;
  peer?: string[];
  requireCrc?: boolean;
  mtu: number;
  hopLimit: number;
  seed?: number;
}

/** Checks HOST:PORT and keeps the text: the UDP medium parses it again. */
const hostPort = (value: string): string => {
  parseHostPort(value);
  return value.trim();
};

/** Adds --address, --udp, --peer, --require-crc, --mtu, --hop-limit and --seed. */
export function addLinkOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--address <n>', 'this node’s mesh address (1..65535)', integerIn(1, 65535))
    .requiredOption('--udp <host:port>', 'UDP address to bind (one datagram = one frame)', hostPort)
    .option('--peer <host:port>', 'UDP peer in radio reach (repeatable)', collect(hostPort))
    .option('--require-crc', 'reject frames without CRC (the seed’s C code sends crc = 0)')
    .addOption(
      new Option('--mtu <bytes>', 'largest frame on this link (nRF24: 32)')
        .argParser(integerIn(17, 255))
        .default(255),
    )
    .addOption(
      new Option('--hop-limit <n>', 'relays a frame may cross')
        .argParser(integerIn(1, 255))
        .default(7),
    )
    .option('--seed <n>', 'seed for sequences and jitter (default: random)', integerIn(0, 2 ** 31));
}

/** Binds the UDP medium and starts a host on it. */
export async function openUdpHost(
  flags: LinkFlags,
  extra: Partial<MeshlinkHostOptions> = {},
): Promise<{ host: MeshlinkHost; bound: string; close: () => Promise<void> }> {
  const medium = await openUdpMedium({ bind: flags.udp, peers: flags.peer ?? [], mtu: flags.mtu });
  const host = new MeshlinkHost({
    address: flags.address,
    medium,
    scheduler: new RealScheduler(),
    random: seededRandom(flags.seed ?? randomInt(2 ** 31)),
    requireCrc: flags.requireCrc === true,
    hopLimit: flags.hopLimit,
    ...extra,
  });
  return {
    host,
    bound: medium.address,
    close: async () => {
      host.close();
      await medium.close();
    },
  };
}
