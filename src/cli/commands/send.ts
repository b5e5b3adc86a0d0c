/**
 * `intelli-mesh send DST [TEXT]`: sends a message (TEXT, or the bytes of --file), fragmented to
 * the link's MTU and reassembled at DST; exits 0 once DST's receipt arrives, 1 otherwise.
 *
 * @example
 * intelli-mesh send 69 'hello mesh' --address 42 --udp 127.0.0.1:4001 --peer 127.0.0.1:4000
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { integerIn } from '../options.ts';
import { addLinkOptions, type LinkFlags, openUdpHost } from './meshlink-udp.ts';

interface SendFlags extends LinkFlags {
  file?: string;
  timeout: number;
}

export function registerSend(program: Command): void {
  addLinkOptions(
    program
      .command('send')
      .description('send a message, fragmented as needed and reassembled at the destination')
      .argument('<dst>', 'mesh address of the destination', integerIn(1, 65535))
      .argument('[text]', 'the message (or use --file)'),
  )
    .option('--file <path>', 'send the bytes of this file')
    .option('--timeout <ms>', 'wait for the receipt', integerIn(1, 3_600_000), 10_000)
    .action(async (dst: number, text: string | undefined, flags: SendFlags, cmd: Command) => {
      if ((text === undefined) === (flags.file === undefined)) {
        cmd.error('error: give the message as TEXT or with --file, not both or neither');
      }
      const data =
        flags.file !== undefined
          ? new Uint8Array(await readFile(flags.file))
          : new TextEncoder().encode(text);
      const { host, close } = await openUdpHost(flags, { receiptTimeoutMs: flags.timeout });
      const started = Date.now();
      try {
        await host.send(dst, data);
        const fragments = Math.max(1, Math.ceil(data.length / (flags.mtu - 16)));
        console.log(
          `delivered ${data.length} bytes to ${dst} in ${fragments} fragment(s), ${Date.now() - started} ms`,
        );
      } finally {
        await close();
      }
    });
}
