/**
 * `intelli-mesh ping DST`: PINGs a mesh address over UDP, a line per reply, then the seed's
 * summary (sent, received, round trip, average, loss %). Exits 1 when no reply came.
 *
 * @example
 * intelli-mesh ping 69 --address 42 --udp 127.0.0.1:4001 --peer 127.0.0.1:4000 --count 3
 */
import { type Command, Option } from 'commander';
import { PingTimeoutError } from '../../meshlink/errors.ts';
import { integerIn } from '../options.ts';
import { addLinkOptions, type LinkFlags, openUdpHost } from './meshlink-udp.ts';

interface PingFlags extends LinkFlags {
  count: number;
  interval: number;
  timeout: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function registerPing(program: Command): void {
  addLinkOptions(
    program
      .command('ping')
      .description('ping a mesh node and print round trips and loss')
      .argument('<dst>', 'mesh address to ping (0 = every node in reach)', integerIn(0, 65535)),
  )
    .addOption(
      new Option('--count <n>', 'pings to send').argParser(integerIn(1, 1_000_000)).default(4),
    )
    .addOption(
      new Option('--interval <ms>', 'time between pings')
        .argParser(integerIn(1, 3_600_000))
        .default(1000),
    )
    .addOption(
      new Option('--timeout <ms>', 'wait for each pong')
        .argParser(integerIn(1, 3_600_000))
        .default(1000),
    )
    .action(async (dst: number, flags: PingFlags) => {
      const { host, close } = await openUdpHost(flags, { pingTimeoutMs: flags.timeout });
      let sent = 0;
      let received = 0;
      let total = 0;
      let last = 0;
      try {
        for (let i = 1; i <= flags.count; i++) {
          const started = Date.now();
          sent++;
          try {
            const reply = await withTimeout(host.ping(dst), flags.timeout, dst);
            received++;
            total += reply.rttMs;
            last = reply.rttMs;
            console.log(
              `pong from ${reply.from}: ping=${i} time=${reply.rttMs.toFixed(2)} ms hops=${reply.hops}`,
            );
          } catch (err) {
            if (!(err instanceof PingTimeoutError)) throw err;
            console.log(`no pong from ${dst}: ping=${i} (timeout ${flags.timeout} ms)`);
          }
          if (i < flags.count) await sleep(Math.max(0, flags.interval - (Date.now() - started)));
        }
      } finally {
        await close();
      }
      const loss = 100 - (received / sent) * 100;
      console.log(
        `Packet count, sent: ${sent}, received: ${received}, Round trip time(ms): ${last.toFixed(2)}, ` +
          `average time(ms): ${(received ? total / received : 0).toFixed(2)}, loss (%): ${loss.toFixed(2)}`,
      );
      if (received === 0) process.exitCode = 1;
    });
}

/** The node's own ping timeout is 1 s; --timeout may ask for less or more. */
function withTimeout<T>(p: Promise<T>, ms: number, dst: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PingTimeoutError(dst, ms)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof PingTimeoutError ? new PingTimeoutError(dst, ms) : e);
      },
    );
  });
}
