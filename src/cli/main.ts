/**
 * The `intelli-mesh` command line: one sub-command a file under `commands/`, each adding itself
 * to the program. Only this layer chooses hosts, media and brokers.
 */
import { Command } from 'commander';
import { commandsFor } from './commands/index.ts';
import { runProgram } from './run-program.ts';

// Only the named command is loaded (all of them for --help or a mistyped name).
await runProgram(new Command(), async (program) => {
  for (const entry of commandsFor(process.argv.slice(2))) (await entry.load())(program);
});
