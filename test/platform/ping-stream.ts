/**
 * A client's ping stream for outage measurements: `ping -D -i 0.01` inside a network namespace,
 * each reply's kernel receive time (epoch ms) kept, so the first reply after a fault tells when
 * traffic flowed again. Used by the failover benches on the namespace lab and the OpenWrt one.
 *
 * @example
 * const stream = pingStream(lab.client, '198.51.100.1');
 * const t0 = Date.now(); await fault();
 * const outageMs = (await stream.firstAfter(t0 + 2)) - t0;
 * stream.stop();
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface PingStream {
  /** The first reply received after epoch-ms `after`. */
  firstAfter(after: number): Promise<number>;
  stop(): void;
}

export function pingStream(netns: string, target: string): PingStream {
  const child = spawn(
    'ip',
    ['netns', 'exec', netns, 'ping', '-n', '-D', '-i', '0.01', '-W', '1', target],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const replies: number[] = [];
  const waiters: { after: number; resolve: (t: number) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^\[(\d+\.\d+)\] \d+ bytes from/.exec(line);
    if (!m) return;
    const t = Number(m[1]) * 1000;
    replies.push(t);
    for (const w of waiters.splice(0)) {
      if (t > w.after) w.resolve(t);
      else waiters.push(w);
    }
  });
  return {
    firstAfter: (after) =>
      new Promise((resolve) => {
        const seen = replies.find((t) => t > after);
        if (seen !== undefined) resolve(seen);
        else waiters.push({ after, resolve });
      }),
    stop: () => child.kill(),
  };
}
