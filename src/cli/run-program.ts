/**
 * Runs a commander program the way every `intelli-mesh` entry point does: a closed stdout pipe is
 * the reader's choice, commander's own messages keep their exit codes, and our typed errors (and a
 * missing or unreadable file) print one `error:` line instead of a stack.
 *
 * @example
 * await runProgram(new Command().name('intelli-mesh'), (program) => registerAgent(program));
 */
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { IntelliMeshError } from '../core/errors.ts';

export async function runProgram(
  program: Command,
  register: (program: Command) => void | Promise<void>,
): Promise<void> {
  // `intelli-mesh … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  program
    .name('intelli-mesh')
    .description('Decentralized, self-healing mesh networking')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await register(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message; help and version exit 0.
      process.exitCode = err.exitCode;
    } else if (err instanceof IntelliMeshError) {
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
    } else if (fileProblem(err)) {
      // A file named on the command line that is missing or unreadable is a user mistake.
      console.error(`error: ${fileProblem(err)}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
};

/** `cannot read 'missing.yaml': no such file or directory` for a file system error, if it is one. */
function fileProblem(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || typeof e.path !== 'string') return;
  const why = FILE_PROBLEMS[e.code];
  if (!why) return undefined;
  const verb =
    e.syscall === 'open' || e.syscall === 'stat' || e.syscall === 'scandir' ? 'read' : 'use';
  return `cannot ${verb} '${e.path}': ${why}`;
}
