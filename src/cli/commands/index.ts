/** Every sub-command of the CLI, in the order `--help` lists them. */
import type { Command } from 'commander';
import { registerLink } from './link.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerLink];
