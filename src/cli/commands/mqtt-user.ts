/**
 * `intelli-mesh mqtt-user USER --role node --site SITE`: prints a credentials-file entry with a
 * scrypt hash, for the embedded broker's `--credentials` file. A node's `--site` is the only site
 * it may publish under (without it, the controller's `--site`). The password is read from
 * INTELLI_MESH_NEW_PASSWORD, or generated and printed once on stderr.
 *
 * @example
 * intelli-mesh mqtt-user node-3 --role node --site lab >> users.yaml
 * intelli-mesh mqtt-user gw-1 --role radio-gateway --network field --site lab >> users.yaml
 */
import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { hashPassword } from '../../mqtt/password-hash.ts';
import { IntelliMeshError } from '../../core/errors.ts';
import { assertNetworkName } from '../../mqtt/radio-topics.ts';
import { assertTopicName } from '../../mqtt/topics.ts';

/** A flag that does not go with the others (`--site` for a controller or viewer). */
export class MqttUserFlagError extends IntelliMeshError {}

export function registerMqttUser(program: Command): void {
  program
    .command('mqtt-user')
    .description('print an MQTT credentials entry (YAML) for the embedded broker')
    .argument('<username>', 'a node id, or the controller/viewer login')
    .addOption(
      new Option('--role <role>', 'what the user may do')
        .choices(['node', 'controller', 'viewer', 'radio-gateway'])
        .default('node'),
    )
    .option(
      '--site <name>',
      "a node's site: the only one it may publish under (default: the controller's --site)",
    )
    .option('--network <name>', 'a radio gateway’s meshlink network: the only one it may speak for')
    .option('--header', 'print the `users:` line first (for a new file)')
    .action(
      (
        username: string,
        flags: { role: string; site?: string; network?: string; header?: boolean },
      ) => {
        assertTopicName('node', username);
        if (flags.site !== undefined) {
          if (flags.role !== 'node' && flags.role !== 'radio-gateway')
            throw new MqttUserFlagError('--site is for --role node or radio-gateway only');
          assertTopicName('site', flags.site);
        }
        if ((flags.role === 'radio-gateway') !== (flags.network !== undefined))
          throw new MqttUserFlagError(
            flags.role === 'radio-gateway'
              ? '--role radio-gateway needs --network NAME (the radio network it speaks for)'
              : '--network is for --role radio-gateway only',
          );
        if (flags.network !== undefined) assertNetworkName(flags.network);
        let password = process.env.INTELLI_MESH_NEW_PASSWORD;
        if (!password) {
          password = randomBytes(15).toString('base64url');
          console.error(`password for ${username}: ${password}`);
        }
        const entry = stringify([
          {
            username,
            role: flags.role,
            ...(flags.site !== undefined ? { site: flags.site } : {}),
            ...(flags.network !== undefined ? { network: flags.network } : {}),
            password_hash: hashPassword(password),
          },
        ]);
        if (flags.header) console.log('users:');
        process.stdout.write(entry.replace(/^/gm, '  ').trimEnd() + '\n');
      },
    );
}
