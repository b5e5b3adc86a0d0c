/**
 * A continuous ICMP echo stream to one target out of one device (`ping -D -i <interval> -I dev`),
 * for fast-mode probing without a process per probe: a probe asks "did any echo come back
 * between now and now + timeout?". With a 10 ms stream and a 50 ms probe window, one probe sees
 * about five echoes spread over the window, so a burst of loss must swallow all of them to fail
 * it, while a dead path fails it for sure. The process restarts if it exits.
 *
 * @example
 * const s = new IcmpStream(withNetns('node1', []), 'wan1', '198.51.100.2', 10);
 * const r = await s.probe(50); // { ok: true, rttMs: 0.06 } or { ok: false }
 * s.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ProbeOutcome } from './probers.ts';

interface Reply {
  at: number;
  rttMs: number;
}

export class IcmpStream {
  private child: ChildProcess | undefined;
  private replies: Reply[] = [];
  private waiters: { from: number; until: number; resolve: (r: Reply) => void }[] = [];
  private stopped = false;

  constructor(
    private readonly prefix: string[],
    private readonly device: string,
    private readonly target: string,
    private readonly intervalMs: number,
  ) {}

  private ensure(): void {
    if (this.child || this.stopped) return;
    const argv = [
      ...this.prefix,
      'ping',
      '-n',
      '-D',
      '-i',
      (this.intervalMs / 1000).toFixed(3),
      '-I',
      this.device,
      this.target,
    ];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
    this.child = child;
    child.on('error', () => undefined);
    child.on('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // "[1763932000.123456] 64 bytes from 198.51.100.2: icmp_seq=5 ttl=64 time=0.045 ms"
      const m = /^\[(\d+\.\d+)\] \d+ bytes from .* time=([\d.]+) ms/.exec(line);
      if (!m) return;
      const reply = { at: Number(m[1]) * 1000, rttMs: Number(m[2]) };
      this.replies.push(reply);
      if (this.replies.length > 256) this.replies.splice(0, this.replies.length - 128);
      for (const w of this.waiters.splice(0)) {
        if (reply.at >= w.from && reply.at <= w.until) w.resolve(reply);
        else if (reply.at < w.from) this.waiters.push(w);
      }
    });
  }

  /** Waits up to `timeoutMs` for an echo reply received from now on. */
  probe(timeoutMs: number): Promise<ProbeOutcome> {
    this.ensure();
    const from = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: ProbeOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(outcome);
      };
      // Replies are judged by ping's own receive timestamps, so a busy event loop that reads
      // them late does not turn them into losses.
      const waiter = {
        from,
        until: from + timeoutMs,
        resolve: (r: Reply) => finish(r.at === 0 ? { ok: false } : { ok: true, rttMs: r.rttMs }),
      };
      // Timers run before pending I/O is read: look at what ping printed before giving up.
      const timer = setTimeout(() => setImmediate(() => finish({ ok: false })), timeoutMs);
      this.waiters.push(waiter);
    });
  }

  stop(): void {
    this.stopped = true;
    this.child?.kill();
    this.child = undefined;
    for (const w of this.waiters.splice(0)) w.resolve({ at: 0, rttMs: 0 });
  }
}
