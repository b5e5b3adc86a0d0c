/**
 * The `intelli-mesh` command line: one sub-command a file under `commands/`, each adding itself
 * to the program. Only this layer chooses hosts, media and brokers.
 */
import { Command, CommanderError } from 'commander';
import { IntelliMeshError } from '../core/errors.ts';
import { commandsFor } from './commands/index.ts';

// `intelli-mesh … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command()

  .name('intelli-mesh')
  .description('Decentralized, self-healing mesh networking')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// Only the named command is loaded (all of them for --help or a mistyped name).
for (const entry of commandsFor(process.argv.slice(2))) (await entry.load())(program);

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
