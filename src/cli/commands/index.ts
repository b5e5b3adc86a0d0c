/** Every sub-command of the CLI, in the order `--help` lists them. */
import type { Command } from 'commander';
import { registerConfig } from './config.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerConfig];
