/** Every sub-command of the CLI, in the order `--help` lists them. */
import type { Command } from 'commander';
import { registerAgent } from './agent.ts';
import { registerConfig } from './config.ts';
import { registerController } from './controller.ts';
import { registerLink } from './link.ts';
import { registerMeshlinkDemo } from './meshlink-demo.ts';
import { registerMqttUser } from './mqtt-user.ts';
import { registerNode } from './node.ts';
import { registerPing } from './ping.ts';
import { registerScan } from './scan.ts';
import { registerSend } from './send.ts';
import { registerSim } from './sim.ts';
import { registerStart } from './start.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerStart,
  registerMeshlinkDemo,
  registerNode,
  registerPing,
  registerScan,
  registerSend,
  registerLink,
  registerSim,
  registerConfig,
  registerAgent,
  registerController,
  registerMqttUser,
];
