/**
 * Runs a host command for the harness and collects its output: one place that turns a
 * non-zero exit or a hung command into a `CommandFailedError` with the command's stderr.
 *
 * @example
 * const { stdout } = await runCommand(['ip', 'netns', 'list']);
 * const r = await runCommand(['ping', '-c1', '10.0.0.9'], { allowFailure: true }); // r.code
 */
import { spawn } from 'node:child_process';
import { CommandFailedError } from './errors.ts';

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. @default nothing (stdin closed) */
  input?: string | Buffer;
  /** Return a non-zero exit as `code` instead of throwing. @default false */
  allowFailure?: boolean;
  /** Kill the command (SIGKILL) after this long; that always throws. @default 30_000 */
  timeoutMs?: number;
  /** Environment of the command. @default the harness process's environment */
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when killed by a signal. */
  code: number;
}

export function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new RangeError('runCommand needs a command');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CommandFailedError(argv, null, '', '', e.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(
          new CommandFailedError(argv, null, stdout, stderr, `timed out after ${timeoutMs} ms`),
        );
      } else if (code === 0 || options.allowFailure) {
        resolve({ stdout, stderr, code: code ?? -1 });
      } else {
        const why = signal ? `killed by ${signal}` : `exited with ${code}`;
        reject(new CommandFailedError(argv, code, stdout, stderr, why));
      }
    });
    // A command that exits before reading its input closes the pipe: that is not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
