/**
 * `intelli-mesh controller`: the controller with its API and dashboard, fed by MQTT. By default
 * it starts an embedded broker whose users come from `--credentials` (add the controller's own
 * login there, or let it generate one for this run); `--mqtt-url` uses an external broker
 * (Mosquitto) instead. The embedded broker listens on `--mqtt-host` (loopback by default); with
 * a certificate it serves mqtts:// (and wss://) there and keeps plain MQTT on the loopback (see
 * `../broker-listeners.ts`). `--http-tls-cert` and `--http-tls-key` serve the API over HTTPS.
 * Every TLS file is checked before anything listens. docs/deployment.md has the whole set-up.
 *
 * @example
 * intelli-mesh controller --site lab --credentials users.yaml --db lab.db
 * intelli-mesh controller --site lab --credentials users.yaml --mqtt-host 0.0.0.0 \
 *   --mqtt-tls-cert server.pem --mqtt-tls-key server.key --http-tls-cert server.pem --http-tls-key server.key
 * INTELLI_MESH_MQTT_PASSWORD=… intelli-mesh controller --mqtt-url mqtt://127.0.0.1:1883
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { RealScheduler } from '../../core/real-scheduler.ts';
import { IntelliMeshError } from '../../core/errors.ts';
import { loadSite } from '../../config/load-site.ts';
import { formatIssue } from '../../config/site-issue.ts';
import { startController } from '../../controller/controller.ts';
import { notificationSenders } from '../../controller/notify/notify-config.ts';
import { resolveNotifyPolicy } from '../../controller/notify/notify-policy.ts';
import { resolveAlertRuleOptions } from '../../controller/rules/alert-rule-options.ts';
import { CredentialStore } from '../../mqtt/credential-store.ts';
import { BrokerStartError } from '../../mqtt/broker-thread.ts';
import {
  brokerJournalPath,
  POSTGRES_BROKER_JOURNAL,
  startControllerBroker,
} from '../controller-broker.ts';
import { checkPoolSize, DEFAULT_POOL_SIZE } from '../../controller/store/store-target.ts';
import { hashPassword } from '../../mqtt/password-hash.ts';
import { assertTopicName } from '../../mqtt/topics.ts';
import {
  brokerLimitOptions,
  brokerLimitsFromFlags,
  type BrokerLimitFlags,
} from '../broker-limit-flags.ts';
import {
  brokerBanner,
  brokerListenPlan,
  flagsOfListener,
  type BrokerFlags,
} from '../broker-listeners.ts';
import { listenAddresses } from '../listen-addresses.ts';
import { collect, integerIn, trustProxyEntry } from '../options.ts';
import { fractionIn, secondsIn } from '../alert-flags.ts';
import { loadServerTls } from '../tls-files.ts';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** `--http-tls-cert` without `--http-tls-key`, or the other way round. */
export class HttpTlsFlagError extends IntelliMeshError {}

interface ControllerFlags extends BrokerFlags, BrokerLimitFlags {
  site: string;
  db: string;
  dbPoolSize?: number;
  brokerJournal?: string;
  host: string;
  port: number;
  web?: string;
  mqttUsername: string;
  httpTlsCert?: string;
  httpTlsKey?: string;
  publicMetrics?: boolean;
  mqttInProcess?: boolean;
  allowedOrigin?: string[];
  trustProxy?: string[];
  siteFile?: string;
  notifyWebhook?: string[];
  smtpUrl?: string;
  notifyEmail?: string[];
  notifyFrom?: string;
  notifyGroupWait?: number;
  notifyResolveHold?: number;
  linkLossOpen?: number;
  linkLossClose?: number;
  linkOpenAfter?: number;
  linkCloseAfter?: number;
  flapChanges?: number;
  flapWindow?: number;
  radioUnreachableAfter?: number;
  radioAlertAfter?: number;
}

export function registerController(program: Command): void {
  const controller = program
    .command('controller')
    .description(
      'run the controller: MQTT ingest, store (SQLite or PostgreSQL), HTTP API and dashboard',
    )
    .option('--site <name>', 'site name (MQTT topic level)', 'site')
    .option('--site-file <file>', 'site file whose VLANs and SSIDs the dashboard may edit')
    .option(
      '--db <file|url>',
      'SQLite file (created when missing), or a postgres:// / postgresql:// URL',
      'intelli-mesh.db',
    )
    .option(
      '--db-pool-size <n>',
      `PostgreSQL connections to keep (default ${DEFAULT_POOL_SIZE})`,
      checkPoolSize,
    )
    .option(
      '--broker-journal <file>',
      `embedded broker's journal (default: next to a SQLite --db; ./${POSTGRES_BROKER_JOURNAL} with PostgreSQL)`,
    )
    .option('--host <address>', 'HTTP listen address', '127.0.0.1')
    .option('--port <port>', 'HTTP port', integerIn(0, 65535), 8080)
    .option('--web <dir>', 'built dashboard to serve (default web/dist when built)')
    .option(
      '--mqtt-url <url>',
      'external broker (a cluster: its addresses, comma-separated); password from INTELLI_MESH_MQTT_PASSWORD',
    )
    .option('--mqtt-username <name>', 'MQTT username of the controller', 'controller')
    .option(
      '--mqtt-host <address>',
      'embedded broker listen address; repeat or comma-separate (default 127.0.0.1)',
      listenAddresses,
    )
    .option('--mqtt-port <port>', 'embedded broker plain MQTT port', integerIn(0, 65535), 1883)
    .option('--mqtt-ws-port <port>', 'embedded broker plain WebSocket port', integerIn(0, 65535))
    .option('--mqtt-tls-cert <file>', 'PEM certificate (chain) for mqtts:// and wss://')
    .option('--mqtt-tls-key <file>', 'PEM private key of --mqtt-tls-cert')
    .option('--mqtt-tls-ca <file>', 'also require client certificates signed by this CA (PEM)')
    .option('--mqtts-port <port>', 'MQTT over TLS port (default 8883)', integerIn(0, 65535))
    .option('--mqtts-ws-port <port>', 'WebSocket over TLS port (default none)', integerIn(0, 65535))
    .option(
      '--mqtt-plain-host <address>',
      'where plain mqtt:// and ws:// listen (default: --mqtt-host, or 127.0.0.1 with TLS)',
      listenAddresses,
    )
    .option('--credentials <file>', 'embedded broker users (YAML; see `intelli-mesh mqtt-user`)')
    .addOption(
      new Option(
        '--mqtt-in-process',
        "run the embedded broker in the controller's event loop, not on a thread of its own",
      ),
    )
    .option('--http-tls-cert <file>', 'serve the API and dashboard over HTTPS: PEM certificate')
    .option('--http-tls-key <file>', 'PEM private key of --http-tls-cert')
    .addOption(new Option('--public-metrics', 'serve /metrics without a token'))
    .option(
      '--allowed-origin <origin...>',
      'another origin (e.g. https://mesh.example.org) whose pages may open the live feed',
    )
    .option(
      '--trust-proxy <address...>',
      'reverse proxies (IP, CIDR, loopback) whose X-Forwarded-For names the client for the login throttle and logs (default: the header is ignored)',
      collect(trustProxyEntry),
    )
    .option(
      '--notify-webhook <url>',
      'POST alert incidents as JSON to this URL (repeatable)',
      collect(String),
    )
    .option(
      '--smtp-url <url>',
      'send alert e-mails through this server (smtp://host:port, smtps://…)',
    )
    .option(
      '--notify-email <address>',
      'e-mail alert incidents to this address (repeatable)',
      collect(String),
    )
    .option('--notify-from <address>', 'sender of alert e-mails (default intelli-mesh@localhost)')
    .option(
      '--notify-group-wait <seconds>',
      'wait this long for related alerts before notifying (default 10)',
      secondsIn(0, 3600),
    )
    .option(
      '--notify-resolve-hold <seconds>',
      'report an incident resolved after it stayed clear this long (default 60)',
      secondsIn(0, 86_400),
    )
    .option(
      '--link-loss-open <fraction>',
      'degraded-link alert: mean loss of both directions that opens it (default 0.3)',
      fractionIn,
    )
    .option(
      '--link-loss-close <fraction>',
      'degraded-link alert: loss at or below which it closes (default 0.15)',
      fractionIn,
    )
    .option(
      '--link-open-after <seconds>',
      'degraded-link alert: how long the link must be bad (default 2)',
      secondsIn(0, 3600),
    )
    .option(
      '--link-close-after <seconds>',
      'degraded-link alert: how long it must be good again (default 6)',
      secondsIn(0, 3600),
    )
    .option(
      '--flap-changes <count>',
      'gateway-flapping alert: more gateway changes than this... (default 3)',
      integerIn(1, 1000),
    )
    .option(
      '--flap-window <seconds>',
      '...within this many seconds (default 300)',
      secondsIn(1, 86_400),
    )
    .option(
      '--radio-unreachable-after <seconds>',
      'a radio node silent this long is unreachable (default 30; docs/radio-gateway.md)',
      secondsIn(1, 86_400),
    )
    .option(
      '--radio-alert-after <seconds>',
      '...and raises its alert after this much more silence (default 60)',
      secondsIn(0, 86_400),
    )
    .action(async (flags: ControllerFlags, command: Command) => {
      assertTopicName('site', flags.site);
      // Every flag and file is checked before anything starts listening.
      const given = (key: string) => command.getOptionValueSource(key) === 'cli';
      const plan = brokerListenPlan(flags, given, Date.now());
      if ((flags.httpTlsCert === undefined) !== (flags.httpTlsKey === undefined)) {
        throw new HttpTlsFlagError(
          flags.httpTlsCert === undefined
            ? '--http-tls-key needs --http-tls-cert'
            : '--http-tls-cert needs --http-tls-key',
        );
      }
      const https =
        flags.httpTlsCert !== undefined
          ? loadServerTls({
              cert: { flag: '--http-tls-cert', file: flags.httpTlsCert },
              key: { flag: '--http-tls-key', file: flags.httpTlsKey! },
              now: Date.now(),
            })
          : undefined;
      if (flags.siteFile !== undefined) await checkSiteFile(flags.siteFile);
      const alertRules = {
        link: defined({
          lossOpen: flags.linkLossOpen,
          lossClose: flags.linkLossClose,
          openAfterMs: flags.linkOpenAfter,
          closeAfterMs: flags.linkCloseAfter,
        }),
        flap: defined({ maxChanges: flags.flapChanges, windowMs: flags.flapWindow }),
      };
      const notify = {
        webhooks: flags.notifyWebhook,
        smtpUrl: flags.smtpUrl,
        emailTo: flags.notifyEmail,
        emailFrom: flags.notifyFrom,
        policy: defined({
          groupWaitMs: flags.notifyGroupWait,
          resolveHoldMs: flags.notifyResolveHold,
        }),
      };
      // Checked here too, so a bad setting stops the start before the broker listens.
      resolveAlertRuleOptions(alertRules);
      resolveNotifyPolicy(notify.policy);
      notificationSenders(notify);
      const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
      let broker: Awaited<ReturnType<typeof startControllerBroker>> | undefined;
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
        broker = await startControllerBroker({
          credentials,
          site: flags.site,
          limits: brokerLimitsFromFlags(flags),
          ...plan.options,
          journalPath: flags.brokerJournal ?? brokerJournalPath(flags.db),
          inProcess: flags.mqttInProcess === true,
          logger: log,
        }).catch((err: unknown) => {
          if (!(err instanceof BrokerStartError) || !err.listen) throw err;
          throw new BrokerStartError(
            `${err.message} (see ${flagsOfListener(err.listen.protocol, plan)})`,
            { cause: err },
            err.listen,
          );
        });
        mqttUrl = broker.url;
      } else if (!mqttPassword) {
        throw new IntelliMeshError('--mqtt-url needs the password in INTELLI_MESH_MQTT_PASSWORD');
      }
      const webRoot = flags.web ?? (existsSync(DEFAULT_WEB_ROOT) ? DEFAULT_WEB_ROOT : undefined);
      const ctl = await startController({
        site: flags.site,
        dbPath: flags.db,
        dbPoolSize: flags.dbPoolSize,
        mqttUrl,
        mqttUsername: flags.mqttUsername,
        mqttPassword,
        scheduler: new RealScheduler(),
        host: flags.host,
        port: flags.port,
        adminPassword: process.env.INTELLI_MESH_PASSWORD,
        webRoot,
        publicMetrics: flags.publicMetrics,
        siteFile: flags.siteFile,
        https: https && { cert: https.cert, key: https.key },
        brokerHealth: broker?.health,
        allowedOrigins: flags.allowedOrigin,
        trustProxy: flags.trustProxy,
        alertRules,
        notify,
        radio: {
          liveness: defined({
            unreachableAfterMs: flags.radioUnreachableAfter,
            alertAfterMs: flags.radioAlertAfter,
          }),
        },
        logger: log,
      }).catch(async (err: unknown) => {
        // The broker thread would keep the process alive after the error is printed.
        await broker?.close();
        throw err;
      });
      console.log(
        `controller for site '${flags.site}' at ${ctl.url}${webRoot ? '' : ' (API only: run npm run build:web for the dashboard)'}`,
      );
      if (broker) {
        for (const line of brokerBanner(broker.listeners, plan, networkInterfaces()))
          console.log(line);
      } else {
        console.log(`MQTT broker: ${mqttUrl} (external)`);
      }
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
  for (const option of brokerLimitOptions()) controller.addOption(option);
}

/** A `--site-file` that is missing or invalid stops the start, with every issue. */
async function checkSiteFile(file: string): Promise<void> {
  const result = await loadSite(file);
  if (!result.ok) {
    throw new IntelliMeshError(
      `--site-file ${file} is not a valid site:\n${result.issues.map((i) => `  ${formatIssue(file, i)}`).join('\n')}`,
    );
  }
}

/** Leaves out the settings not given, so the defaults apply to them. */
function defined<T extends object>(o: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}
