/**
 * Runs system commands for the Linux platform, optionally inside a network namespace
 * (`ip netns exec NAME ...`), with stdin for `nft -f -`. The only place the platform spawns.
 *
 * @example
 * const run = commandRunner({ netns: 'node1' });
 * const { stdout } = await run(['ip', '-j', 'addr', 'show']);
 */
import { spawn } from 'node:child_process';
import { CommandFailedError } from '../errors.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export type CommandRunner = (
  argv: string[],
  options?: { input?: string; allowFailure?: boolean },
) => Promise<CommandResult>;

export function withNetns(netns: string | undefined, argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

export function commandRunner(options: { netns?: string | undefined } = {}): CommandRunner {
  return (argv, opts = {}) =>
    new Promise((resolve, reject) => {
      const full = withNetns(options.netns, argv);
      const input = opts.input;
      const child = spawn(full[0]!, full.slice(1), {
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (e) => reject(new CommandFailedError(full, null, e.message)));
      child.on('close', (code) => {
        if (code !== 0 && !opts.allowFailure) reject(new CommandFailedError(full, code, stderr));
        else resolve({ stdout, stderr, code });
      });
      if (input !== undefined) {
        // A command that exits before reading all its input is reported by its exit code.
        child.stdin!.on('error', () => undefined);
        child.stdin!.end(input);
      }
    });
}
