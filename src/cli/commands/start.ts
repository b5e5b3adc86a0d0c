/**
 * `intelli-mesh start` (what `npm start` runs): the self-healing demo. Starts an embedded MQTT
 * broker, the controller with the dashboard, and a simulated mesh of about 24 nodes with 4
 * gateways paced to real time, every node running the real routing engine and node agent and
 * reporting over MQTT as itself. Prints the URL and the admin login; runs until Ctrl-C.
 *
 * @example
 * intelli-mesh start --port 8080 --nodes 24 --seed 1
 * INTELLI_MESH_PASSWORD=secret intelli-mesh start --db ./intelli-mesh-demo.db
 * intelli-mesh start --db postgres://im@db.example/im_demo   # the store on PostgreSQL
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { startDemo } from '../../demo/start-demo.ts';
import { notificationSenders } from '../../controller/notify/notify-config.ts';
import { parseStoreTarget } from '../../controller/store/store-target.ts';
import { collect, integerIn } from '../options.ts';
import { DEFAULT_WEB_ROOT } from './controller.ts';

interface StartFlags {
  port: number;
  host: string;
  nodes: number;
  seed: number;
  db: string;
  web?: string;
  notifyWebhook?: string[];
  smtpUrl?: string;
  notifyEmail?: string[];
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'self-healing demo: broker, controller, dashboard and a simulated mesh of node agents',
    )
    .addOption(
      new Option('--port <port>', 'dashboard HTTP port (0 picks a free one)')
        .argParser(integerIn(0, 65535))
        .default(8080),
    )
    .option('--host <address>', 'HTTP listen address', '127.0.0.1')
    .addOption(
      new Option('--nodes <n>', 'nodes in the mesh (rounded to a grid)')
        .argParser(integerIn(8, 100))
        .default(24),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the simulated mesh')
        .argParser(integerIn(0, 2 ** 31))
        .default(1),
    )
    .option(
      '--db <file|url>',
      'SQLite file of the controller, or a postgres:// / postgresql:// URL',
      join(tmpdir(), 'intelli-mesh-demo.db'),
    )
    .option('--web <dir>', 'built dashboard to serve (default web/dist when built)')
    .option(
      '--notify-webhook <url>',
      'POST alert incidents as JSON here (see docs/alerts.md)',
      collect(String),
    )
    .option('--smtp-url <url>', 'send alert e-mails through this SMTP server')
    .option('--notify-email <address>', 'e-mail alert incidents to this address', collect(String))
    .action(async (flags: StartFlags) => {
      const notify = {
        webhooks: flags.notifyWebhook,
        smtpUrl: flags.smtpUrl,
        emailTo: flags.notifyEmail,
      };
      notificationSenders(notify); // a bad setting stops here, before anything listens
      const db = storeDisplay(flags.db); // so does a malformed --db URL
      const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
      const webRoot = flags.web ?? (existsSync(DEFAULT_WEB_ROOT) ? DEFAULT_WEB_ROOT : undefined);
      const demo = await startDemo({
        port: flags.port,
        host: flags.host,
        nodes: flags.nodes,
        seed: flags.seed,
        dbPath: flags.db,
        webRoot,
        adminPassword: process.env.INTELLI_MESH_PASSWORD,
        notify,
        logger: log,
      });
      const w = demo.world;
      console.log(
        `Intelli-Mesh demo: ${w.nodeNames.length} simulated nodes (${w.layout.rows}x${w.layout.cols} grid), ` +
          `gateways ${w.gatewayNames.join(', ')}, seed ${flags.seed}`,
      );
      console.log(
        `dashboard: ${demo.url}${webRoot ? '' : '  (API only: run npm run build:web for the dashboard)'}`,
      );
      if (demo.admin.generatedPassword) {
        console.log(
          `login: admin / ${demo.admin.generatedPassword}  (generated now and shown only once; set INTELLI_MESH_PASSWORD to choose it)`,
        );
      } else {
        console.log(
          demo.admin.source === 'environment'
            ? 'login: admin (password from INTELLI_MESH_PASSWORD)'
            : `login: admin (password printed at the first start; ${db} keeps only its hash: start with INTELLI_MESH_PASSWORD=… to set a new one)`,
        );
      }
      console.log(
        'Open Faults in the dashboard and cut a gateway’s WANs: watch its clients move.\n' +
          'Open Upgrades to roll firmware out in waves with the example images. Ctrl-C stops.',
      );
      const stop = async () => {
        await demo.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

/** `--db` as it may be printed (a URL's password hidden); throws a one-line error when malformed. */
function storeDisplay(target: string): string {
  const where = parseStoreTarget(target);
  return where.kind === 'sqlite' ? where.path : where.display;
}
