/**
 * Runs `./bin/intelli-mesh` and other programs for real, for the CLI and interop suites: free
 * UDP ports, a child whose output can be awaited line by line, and a run-to-exit helper.
 *
 * @example
 * const [a, b] = await freeUdpPorts(2);
 * const node = startProcess(BIN, ['node', '--address', '69', '--udp', `127.0.0.1:${a}`]);
 * await node.waitFor(/listening/);
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/intelli-mesh', import.meta.url));

/** Ports the kernel just handed out for UDP on 127.0.0.1 (closed again, so free to bind). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createSocket('udp4');
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
      return s;
    }),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

export function startProcess(cmd: string, args: string[]): RunningProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (pattern, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(out)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${out}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}

/** Runs to completion; resolves with the exit code and everything printed. */
export async function run(
  cmd: string,
  args: string[],
): Promise<{ code: number | null; out: string }> {
  const p = startProcess(cmd, args);
  const code = await p.exited;
  return { code, out: p.output() };
}
