/**
 * `intelli-mesh link`: opens one medium (UDP or a serial dongle), prints every frame it hears
 * and optionally sends or echoes frames: a wire-level check of a link, for instance against the
 * seed's C ping/pong program or a second terminal.
 *
 * @example
 * intelli-mesh link --udp 127.0.0.1:4000 --echo
 * intelli-mesh link --udp 127.0.0.1:4001 --peer 127.0.0.1:4000 --send 01020304 --count 1
 * intelli-mesh link --serial /dev/ttyUSB0 --baud 115200
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Medium } from '../../core/medium.ts';
import { openSerialMedium } from '../../transport/serial-medium.ts';
import { openUdpMedium } from '../../transport/udp-medium.ts';
import { collect, integerIn } from '../options.ts';

interface LinkOptions {
  udp?: string;
  serial?: string;
  peer?: string[];
  baud: number;
  mtu?: number;
  send?: Uint8Array[];
  to?: string;
  echo?: boolean;
  count?: number;
}

/** A frame given as hex on the command line: "01020a", "01 02 0a" or "01:02:0a". */
export function parseHexFrame(value: string): Uint8Array {
  const digits = value.replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new InvalidArgumentError(`'${value}' is not hex bytes (for example 01020a).`);
  }
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

function hex(frame: Uint8Array): string {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.length).toString('hex');
}

async function openMedium(options: LinkOptions): Promise<{ medium: Medium; address: string }> {
  if (options.udp !== undefined) {
    const udp = await openUdpMedium({
      bind: options.udp,
      peers: options.peer ?? [],
      ...(options.mtu === undefined ? {} : { mtu: options.mtu }),
    });
    return { medium: udp, address: udp.address };
  }
  const path = options.serial!;
  const serial = await openSerialMedium({
    path,
    baudRate: options.baud,
    ...(options.mtu === undefined ? {} : { mtu: options.mtu }),
  });
  return { medium: serial, address: path };
}

async function runLink(options: LinkOptions): Promise<void> {
  const { medium, address } = await openMedium(options);
  console.log(`listening on ${address} (mtu ${medium.mtu})`);
  let heard = 0;
  let stop = (): void => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  medium.onFrame((frame, from) => {
    console.log(`${from} ${frame.length} ${hex(frame)}`);
    if (options.echo) medium.send(frame, from);
    heard++;
    if (options.count !== undefined && heard >= options.count) stop();
  });
  for (const frame of options.send ?? []) medium.send(frame, options.to);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await medium.close();
}

export function registerLink(program: Command): void {
  program
    .command('link')
    .description('open a UDP or serial medium, print the frames it hears, send or echo frames')
    .addOption(
      new Option('--udp <host:port>', 'bind UDP on HOST:PORT ([::1]:4000 for IPv6)').conflicts(
        'serial',
      ),
    )
    .addOption(new Option('--serial <path>', 'open a serial radio dongle, e.g. /dev/ttyUSB0'))
    .option('--peer <host:port>', 'UDP peer a broadcast goes to (repeatable)', collect(String))
    .option('--baud <rate>', 'serial baud rate', integerIn(1, 10_000_000), 115_200)
    .option('--mtu <bytes>', 'largest frame (default 255)', integerIn(1, 65_507))
    .option('--send <hex>', 'frame to send once open, as hex (repeatable)', collect(parseHexFrame))
    .option('--to <peer>', 'send to this peer only instead of broadcasting')
    .option('--echo', 'send every frame heard back to its sender')
    .option('--count <n>', 'exit after hearing n frames', integerIn(1, Number.MAX_SAFE_INTEGER))
    .action(async (options: LinkOptions, command: Command) => {
      if (options.udp === undefined && options.serial === undefined) {
        command.error('error: one of --udp <host:port> or --serial <path> is required');
      }
      await runLink(options);
    });
}
