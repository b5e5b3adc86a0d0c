/**
 * Runs a commander program the way every `intelli-mesh` entry point does: a closed stdout pipe is
 * the reader's choice, commander's own messages keep their exit codes, and our typed errors print
 * one `error:` line instead of a stack.
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
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  }
}
