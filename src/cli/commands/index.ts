/** Every sub-command of the CLI, in the order `--help` lists them. */
import type { Command } from 'commander';
import { registerAgent } from './agent.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerAgent];
