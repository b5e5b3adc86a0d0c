/**
 * The `intelli-mesh` command as a router runs it: the agent sub-command alone, so that one bundled
 * file (`npm run package:openwrt`) carries nothing of the controller, simulator or dashboard. The
 * command line is the same as the full CLI's: `intelli-mesh agent --config FILE`.
 */
import { Command } from 'commander';
import { registerAgent } from './commands/agent.ts';
import { runProgram } from './run-program.ts';
import { AGENT_VERSION } from './agent-version.ts';

await runProgram(new Command().version(AGENT_VERSION), registerAgent);
