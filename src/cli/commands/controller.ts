/**
 * `intelli-mesh controller`: the controller with its API and dashboard, fed by MQTT. By default
 * it starts an embedded broker whose users come from `--credentials` (add the controller's own
 * login there, or let it generate one for this run); `--mqtt-url` uses an external broker
 * (Mosquitto) instead.
 *
 * @example
 * intelli-mesh controller --site lab --credentials users.yaml --db lab.db
 * INTELLI_MESH_MQTT_PASSWORD=… intelli-mesh controller --mqtt-url mqtt://127.0.0.1:1883
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { IntelliMeshError } from '../../core/errors.ts';
import { startController } from '../../controller/controller.ts';
import { CredentialStore } from '../../mqtt/credential-store.ts';
import { startBrokerThread, type BrokerThread } from '../../mqtt/broker-thread.ts';
import { hashPassword } from '../../mqtt/password-hash.ts';
import { assertTopicName } from '../../mqtt/topics.ts';
import { integerIn } from '../options.ts';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

interface ControllerFlags {
  site: string;
  db: string;
  host: string;
  port: number;
  web?: string;
  mqttUrl?: string;
  mqttUsername: string;
  mqttPort: number;
  mqttWsPort?: number;
  credentials?: string;
  publicMetrics?: boolean;
}

export function registerController(program: Command): void {
  program
    .command('controller')
    .description('run the controller: MQTT ingest, SQLite store, HTTP API and dashboard')
    .option('--site <name>', 'site name (MQTT topic level)', 'site')
    .option('--db <file>', 'SQLite file (created when missing)', 'intelli-mesh.db')
    .option('--host <address>', 'HTTP listen address', '127.0.0.1')
    .option('--port <port>', 'HTTP port', integerIn(0, 65535), 8080)
    .option('--web <dir>', 'built dashboard to serve (default web/dist when built)')
    .option('--mqtt-url <url>', 'external broker; its password from INTELLI_MESH_MQTT_PASSWORD')
    .option('--mqtt-username <name>', 'MQTT username of the controller', 'controller')
    .option('--mqtt-port <port>', 'embedded broker TCP port', integerIn(0, 65535), 1883)
    .option('--mqtt-ws-port <port>', 'embedded broker WebSocket port', integerIn(0, 65535))
    .option('--credentials <file>', 'embedded broker users (YAML; see `intelli-mesh mqtt-user`)')
    .addOption(new Option('--public-metrics', 'serve /metrics without a token'))
    .action(async (flags: ControllerFlags) => {
      assertTopicName('site', flags.site);
      const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
      let broker: BrokerThread | undefined;
      let mqttUrl = flags.mqttUrl;
      let mqttPassword = process.env.INTELLI_MESH_MQTT_PASSWORD ?? '';
      if (!mqttUrl) {
        // The controller's login to its own broker exists only for this run.
        mqttPassword = randomBytes(18).toString('base64url');
        const base = flags.credentials ? CredentialStore.fromFile(flags.credentials) : undefined;
        const own = {
          username: flags.mqttUsername,
          role: 'controller' as const,
          password_hash: hashPassword(mqttPassword),
        };
        const credentials = base ? base.with(own) : CredentialStore.fromUsers([own]);
        // On its own thread: the broker's per-message work would otherwise halve ingest.
        broker = await startBrokerThread({
          credentials,
          port: flags.mqttPort,
          wsPort: flags.mqttWsPort,
          logger: log,
        });
        mqttUrl = broker.url;
      } else if (!mqttPassword) {
        throw new IntelliMeshError('--mqtt-url needs the password in INTELLI_MESH_MQTT_PASSWORD');
      }
      const webRoot = flags.web ?? (existsSync(DEFAULT_WEB_ROOT) ? DEFAULT_WEB_ROOT : undefined);
      const ctl = await startController({
        site: flags.site,
        dbPath: flags.db,
        mqttUrl,
        mqttUsername: flags.mqttUsername,
        mqttPassword,
        scheduler: new RealScheduler(),
        host: flags.host,
        port: flags.port,
        adminPassword: process.env.INTELLI_MESH_PASSWORD,
        webRoot,
        publicMetrics: flags.publicMetrics,
        logger: log,
      });
      console.log(
        `controller for site '${flags.site}' at ${ctl.url}${webRoot ? '' : ' (API only: run npm run build:web for the dashboard)'}`,
      );
      console.log(`MQTT broker: ${mqttUrl}${broker?.wsUrl ? ` and ${broker.wsUrl}` : ''}`);
      if (ctl.admin.generatedPassword) {
        console.log(
          `login: admin / ${ctl.admin.generatedPassword}  (generated now and shown only once; set INTELLI_MESH_PASSWORD to choose it)`,
        );
      } else {
        console.log(
          `login: admin (password from ${ctl.admin.source === 'environment' ? 'INTELLI_MESH_PASSWORD' : 'the first start'})`,
        );
      }
      const stop = async () => {
        await ctl.close();
        await broker?.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
