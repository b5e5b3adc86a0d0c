/**
 * Every sub-command of the CLI, in the order `--help` lists them, each loaded on demand: a
 * router running `intelli-mesh agent` should not pay the memory of the controller, the
 * simulator and the dashboard server it never starts (about 33 MiB of resident memory).
 *
 * @example
 * const register = await commandNamed('agent')?.load();
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  name: string;
  load: () => Promise<RegisterCommand>;
}

export const commands: CommandEntry[] = [
  { name: 'start', load: async () => (await import('./start.ts')).registerStart },
  {
    name: 'meshlink-demo',
    load: async () => (await import('./meshlink-demo.ts')).registerMeshlinkDemo,
  },
  { name: 'node', load: async () => (await import('./node.ts')).registerNode },
  { name: 'ping', load: async () => (await import('./ping.ts')).registerPing },
  { name: 'scan', load: async () => (await import('./scan.ts')).registerScan },
  { name: 'send', load: async () => (await import('./send.ts')).registerSend },
  { name: 'link', load: async () => (await import('./link.ts')).registerLink },
  {
    name: 'radio-gateway',
    load: async () => (await import('./radio-gateway.ts')).registerRadioGateway,
  },
  { name: 'sim', load: async () => (await import('./sim.ts')).registerSim },
  { name: 'config', load: async () => (await import('./config.ts')).registerConfig },
  { name: 'agent', load: async () => (await import('./agent.ts')).registerAgent },
  { name: 'controller', load: async () => (await import('./controller.ts')).registerController },
  { name: 'mqtt-user', load: async () => (await import('./mqtt-user.ts')).registerMqttUser },
  {
    name: 'broker-config',
    load: async () => (await import('./broker-config.ts')).registerBrokerConfig,
  },
  { name: 'user', load: async () => (await import('./user.ts')).registerUser },
];

/** The commands to register for this command line: just the one it names, or all of them. */
export function commandsFor(argv: readonly string[]): CommandEntry[] {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = commands.find((c) => c.name === first);
  return named ? [named] : commands;
}
