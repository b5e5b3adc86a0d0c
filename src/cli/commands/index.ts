/** Every sub-command of the CLI, in the order `--help` lists them. */
import type { Command } from 'commander';
import { registerSim } from './sim.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerSim];
