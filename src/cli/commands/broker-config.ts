/**
 * `intelli-mesh broker-config mosquitto|nats`: writes the configuration of an external broker
 * that enforces the embedded broker's rules (credentials required, each node confined to its own
 * topics), from a users file with clear passwords (see src/mqtt/broker-users-file.ts).
 * `mosquitto` writes mosquitto.conf, passwd and acl into a directory; `nats` writes one server's
 * configuration of a NATS cluster speaking MQTT (run it once per server, each with its own name
 * and the others as routes). See docs/broker-cluster.md.
 *
 * @example
 * intelli-mesh broker-config mosquitto --users users.yaml --site lab --out /etc/mosquitto/intelli-mesh
 * intelli-mesh broker-config nats --users users.yaml --site lab --server-name n1 \
 *   --host 10.0.0.1 --route 10.0.0.2:6222 --store-dir /var/lib/nats --out /etc/nats/n1.conf
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { IntelliMeshError } from '../../core/errors.ts';
import { loadBrokerUsers } from '../../mqtt/broker-users-file.ts';
import { renderMosquittoConfig } from '../../mqtt/mosquitto-config.ts';
import { renderNatsConfig } from '../../mqtt/nats-config.ts';

export class BrokerConfigFlagError extends IntelliMeshError {}

function port(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65_535)
      throw new BrokerConfigFlagError(`${flag} ${value}: expected a port number from 1 to 65535`);
    return n;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Secrets inside: readable by the broker's owner alone. */
async function writeSecret(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}

export function registerBrokerConfig(program: Command): void {
  const cmd = program
    .command('broker-config')
    .description('write an external broker’s configuration with our users and per-node rights');

  cmd
    .command('mosquitto')
    .description('mosquitto.conf, passwd and acl for Mosquitto 2')
    .requiredOption('--users <file>', 'users with clear passwords (YAML or JSON)')
    .requiredOption('--out <dir>', 'directory for the three files (the config names them there)')
    .option('--data-dir <dir>', 'Mosquitto’s persistence directory', '/var/lib/mosquitto')
    .option('--host <address>', 'listener address', '127.0.0.1')
    .option('--port <port>', 'MQTT listener port', port('--port'), 1883)
    .option('--site <name>', 'the site of nodes whose entry names none')
    .action(
      async (flags: {
        users: string;
        out: string;
        dataDir: string;
        host: string;
        port: number;
        site?: string;
      }) => {
        const users = loadBrokerUsers(flags.users);
        const configDir = resolve(flags.out);
        const files = renderMosquittoConfig({
          configDir,
          dataDir: resolve(flags.dataDir),
          host: flags.host,
          port: flags.port,
          users,
          site: flags.site,
        });
        await mkdir(configDir, { recursive: true });
        for (const [name, text] of Object.entries(files))
          await writeSecret(join(configDir, name), text);
        console.error(`wrote ${Object.keys(files).join(', ')} to ${configDir}`);
      },
    );

  cmd
    .command('nats')
    .description('one server of a NATS 2.9 cluster speaking MQTT over JetStream')
    .requiredOption('--users <file>', 'users with clear passwords (YAML or JSON)')
    .requiredOption('--server-name <name>', 'this server’s name, unique in the cluster')
    .requiredOption('--store-dir <dir>', 'JetStream’s directory (sessions, QoS 1 and retained)')
    .option('--route <host:port>', 'another server’s cluster address (repeat per server)', collect)
    .option('--host <address>', 'address of every listener', '127.0.0.1')
    .option('--mqtt-port <port>', 'MQTT listener port', port('--mqtt-port'), 1883)
    .option(
      '--client-port <port>',
      'NATS client port (closed to our users)',
      port('--client-port'),
      4222,
    )
    .option(
      '--cluster-port <port>',
      'port the other servers route to',
      port('--cluster-port'),
      6222,
    )
    .option('--site <name>', 'the site of nodes whose entry names none')
    .option('--out <file>', 'write here (mode 0600) instead of standard output')
    .action(
      async (flags: {
        users: string;
        serverName: string;
        storeDir: string;
        route?: string[];
        host: string;
        mqttPort: number;
        clientPort: number;
        clusterPort: number;
        site?: string;
        out?: string;
      }) => {
        const text = renderNatsConfig({
          serverName: flags.serverName,
          host: flags.host,
          mqttPort: flags.mqttPort,
          clientPort: flags.clientPort,
          clusterPort: flags.clusterPort,
          routes: flags.route ?? [],
          storeDir: resolve(flags.storeDir),
          users: loadBrokerUsers(flags.users),
          site: flags.site,
        });
        if (flags.out === undefined) process.stdout.write(text);
        else await writeSecret(flags.out, text);
      },
    );
}
