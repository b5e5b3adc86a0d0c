/**
 * The controller as one process part: its store (SQLite or PostgreSQL), MQTT ingest from the site's nodes,
 * configuration pushes, alerts, and the HTTP/WebSocket API. The mesh never depends on it: it
 * watches and configures; every node decides for itself.
 *
 * @example
 * const c = await startController({ site: 'lab', dbPath: 'lab.db', mqttUrl, mqttPassword, port: 8080 });
 * console.log(c.url, c.admin.generatedPassword);
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../core/logger.ts';
import { isWildcard, urlHost } from '../core/net-address.ts';
import type { BrokerHealth } from '../mqtt/broker-supervisor.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import { ensureAdmin, type AdminBootstrap } from './admin-bootstrap.ts';
import { ConfigPushService, type PushValidator } from './config-push-service.ts';
import { SiteEditor } from './site-editor.ts';
import { ControllerLink } from './controller-link.ts';
import { buildApp } from './http/app.ts';
import type { DemoFaults } from './http/demo-faults.ts';
import type { DemoImage } from './http/demo-images.ts';
import { LiveHub } from './http/live-hub.ts';
import { Ingest, type AlertTransition, type LiveChange } from './ingest.ts';
import { expireUnansweredPushes } from './push-timeouts.ts';
import { notificationSenders, type NotifyConfig } from './notify/notify-config.ts';
import { Notifier } from './notify/notifier.ts';
import { resolveNotifyPolicy } from './notify/notify-policy.ts';
import { resolveAlertRuleOptions, type AlertRuleOptionsInput } from './rules/alert-rule-options.ts';
import { ControllerStore } from './store/controller-store.ts';
import { RadioService, type RadioServiceOptions } from './radio/radio-service.ts';
import { UpgradeCampaignService } from './upgrade/upgrade-campaign-service.ts';
import { ClusterDuties } from './cluster/cluster-duties.ts';
import { ControllerCluster } from './cluster/controller-cluster.ts';
import { clusterHealthOf } from './cluster/cluster-report.ts';

export interface ControllerOptions {
  site: string;
  /** `--db`: a SQLite file (created when missing) or a `postgres://` URL. */
  dbPath: string;
  /** PostgreSQL: the connection pool's size. @default 10 */
  dbPoolSize?: number;
  mqttUrl: string;
  /** @default 'controller' */
  mqttUsername?: string;
  mqttPassword: string;
  scheduler: Scheduler;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** From INTELLI_MESH_PASSWORD; when absent a password is generated at first start. */
  adminPassword?: string;
  webRoot?: string;
  validatePush?: PushValidator;
  /** A site file whose VLANs and SSIDs the API and dashboard may edit (see site-editor.ts). */
  siteFile?: string;
  publicMetrics?: boolean;
  /** Fault injection of a simulated demo mesh, served at /api/demo/faults. */
  demo?: DemoFaults;
  /** The simulated demo mesh's example firmware images, served at /api/demo/images. */
  demoImages?: readonly DemoImage[];
  /** Serve the API and dashboard over HTTPS with this PEM certificate and key. @default HTTP */
  https?: { cert: string; key: string } | undefined;
  /** The embedded broker's health, for /api/health; absent with an external broker. */
  brokerHealth?: (() => BrokerHealth) | undefined;
  /** Origins besides its own whose pages may open /api/live. */
  allowedOrigins?: readonly string[] | undefined;
  /** Reverse proxies whose X-Forwarded-For names the client (trust-proxy.ts). @default none */
  trustProxy?: readonly string[] | undefined;
  /** Thresholds of the degraded-link and gateway-flapping alerts. @default see alert-rule-options.ts */
  alertRules?: AlertRuleOptionsInput;
  /** Outbound notifications (webhooks, e-mail). @default none */
  notify?: NotifyConfig;
  /** Radio node thresholds and command timeouts. @default see radio/radio-service.ts */
  radio?: Pick<RadioServiceOptions, 'liveness' | 'timeouts' | 'sweepMs'>;
  logger?: Logger;
}

export interface RunningController {
  url: string;
  admin: AdminBootstrap;
  store: ControllerStore;
  ingest: Ingest;
  link: ControllerLink;
  pushes: ConfigPushService;
  upgrades: UpgradeCampaignService;
  /** Present when notifications are configured. */
  notifier: Notifier | undefined;
  radio: RadioService;
  close(): Promise<void>;
}

const COMPACT_EVERY_MS = 60_000;
const EVENTS_KEPT_MS = 30 * 86_400_000;

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const log = options.logger ?? silentLogger;
  const { scheduler } = options;
  // Settings are checked before anything is opened: a bad one stops the start with its name.
  const alertRules = resolveAlertRuleOptions(options.alertRules);
  const senders = notificationSenders(options.notify ?? {});
  const policy = resolveNotifyPolicy(options.notify?.policy);
  const store = await ControllerStore.open(options.dbPath, { poolSize: options.dbPoolSize });
  let admin: AdminBootstrap;
  try {
    admin = await ensureAdmin(store.users, options.adminPassword, scheduler.now());
  } catch (err) {
    await store.close();
    throw err;
  }
  // On PostgreSQL several controllers may share the database: cluster/ splits the work.
  const clustered = store.dialect === 'postgres';
  let cluster: ControllerCluster | undefined;
  const ingest = new Ingest({
    store,
    scheduler,
    alertRules,
    dedupe: clustered
      ? (tx, ids, now) => cluster!.freshIds((text, values) => tx.sql.all(text, values), ids, now)
      : undefined,
  });
  const live = new LiveHub();
  let duties: ClusterDuties | undefined;
  if (clustered) {
    try {
      cluster = await ControllerCluster.start({
        url: options.dbPath,
        scheduler,
        logger: log,
        onReplay: (messages) =>
          void ingest
            .acceptBatch(messages)
            .catch((err: Error) => log.error({ err: err.message }, 'hand-off replay failed')),
        onRemote: (notice) => duties?.remote(notice),
      });
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  /** Changes made outside ingest: to this process's dashboards and the others'. */
  const announce = (changes: LiveChange[]) =>
    duties ? duties.shown(changes) : live.broadcast(changes);
  const notifier =
    senders.length > 0
      ? new Notifier({
          site: options.site,
          policy,
          senders,
          scheduler,
          logger: log,
          retry: options.notify?.retry,
        })
      : undefined;
  const radio = new RadioService({
    store,
    scheduler,
    site: options.site,
    publish: async (topic, payload) => {
      if (!link) throw new Error('controller is not connected to the broker');
      await link.publish(topic, payload);
    },
    broadcast: (changes) => announce(changes),
    ...options.radio,
    logger: log,
  });
  const notify = notifier
    ? (t: AlertTransition) => {
        // Runs inside ingest's commit path: a notifier fault is logged, never passed to ingest.
        try {
          notifier.onAlert(t);
        } catch (err) {
          log.error({ err: (err as Error).message, alert: t.alert.key }, 'notifier failed');
        }
      }
    : undefined;
  // In a cluster the leader alone notifies, the others' transitions included (cluster-duties.ts).
  const onAlert = (t: AlertTransition) => (duties ? duties.alert(t) : notify?.(t));
  radio.on('alert', onAlert);
  ingest.on('alert', onAlert);

  let link: ControllerLink | undefined;
  const pushes = new ConfigPushService({
    store,
    clock: scheduler,
    validate: options.validatePush,
    send: async (node, command) => {
      if (!link) throw new Error('controller is not connected to the broker');
      await link.sendCommand(node, command);
    },
  });
  const upgrades = new UpgradeCampaignService({
    store,
    scheduler,
    newId: () => randomBytes(6).toString('hex'),
    send: async (node, command) => {
      if (!link) throw new Error('controller is not connected to the broker');
      await link.sendCommand(node, command);
    },
    publish: (changes) => announce(changes),
    logger: log,
  });
  if (cluster) {
    duties = new ClusterDuties({
      cluster,
      broadcast: (changes) => live.broadcast(changes),
      onLocalChanges: (changes) => pushes.onChanges(changes),
      onAnyChanges: (changes) => upgrades.onChanges(changes),
      notify,
    });
    // Campaigns a dead process drove are resumed by whoever leads next.
    cluster.on('leader', (leading) => {
      if (leading) {
        upgrades
          .resume()
          .catch((err: Error) => log.error({ err: err.message }, 'resuming campaigns failed'));
      }
    });
  }
  // Facts the controller observed (presence, alerts, pushes) reach the dashboards once committed.
  store.events.onRecorded((event) => announce([{ type: 'event', event }]));
  ingest.on('change', (changes) => {
    if (duties) return duties.committed(changes);
    live.broadcast(changes.filter((c) => c.type !== 'upgrade-result'));
    pushes.onChanges(changes);
    upgrades.onChanges(changes);
  });

  try {
    link = await ControllerLink.connect({
      url: options.mqttUrl,
      site: options.site,
      username: options.mqttUsername,
      password: options.mqttPassword,
      ingest,
      radio,
      scheduler,
      route: cluster && ((batch) => cluster.route(batch)),
      logger: log,
    });
    // A member only once every node's messages reach this process (controller-cluster.ts).
    await cluster?.join();
  } catch (err) {
    await cluster?.close();
    await store.close();
    throw err;
  }
  if (!cluster) await upgrades.resume();
  radio.start();

  const app = await buildApp({
    store,
    clock: scheduler,
    site: options.site,
    pushes,
    upgrades,
    live,
    announce,
    mqttConnected: () => link?.connected ?? false,
    ingestStats: () => ingest.stats,
    trafficNow: (node) => ingest.trafficNow(node),
    mqttStats: () => link!.stats,
    webRoot: options.webRoot,
    publicMetrics: options.publicMetrics,
    demo: options.demo,
    demoImages: options.demoImages,
    https: options.https,
    brokerHealth: options.brokerHealth,
    allowedOrigins: options.allowedOrigins,
    trustProxy: options.trustProxy,
    logger: log,
    siteEditor: options.siteFile ? new SiteEditor(options.siteFile) : undefined,
    radio,
    cluster: cluster && clusterHealthOf(cluster),
    // The overview and topology cost O(nodes): rebuilt at most once a second, on change.
    readIntervalMs: 1000,
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8080 });
  const port = (app.server.address() as AddressInfo).port;
  const scheme = options.https ? 'https' : 'http';
  const url = `${scheme}://${isWildcard(host) ? 'localhost' : urlHost(host)}:${port}`;
  log.info({ url, site: options.site }, 'controller listening');

  let compactedAt = Number((await store.meta.get('metrics_compacted_at')) ?? 0);
  let timer: TimerHandle | undefined;
  let stopped = false;
  const compactNow = async () => {
    // Once per cluster: the leader's duty (cluster.md).
    if (cluster && !cluster.isLeader) return;
    const now = scheduler.now();
    await cluster?.prune(now);
    compactedAt = await store.metrics.compact(compactedAt, now);
    await store.meta.set('metrics_compacted_at', String(compactedAt));
    await store.events.prune(now - EVENTS_KEPT_MS);
    await store.clients.prune(now - EVENTS_KEPT_MS);
    const expired = await expireUnansweredPushes(store, now);
    if (expired.length > 0) announce(expired.map((push) => ({ type: 'push', push })));
  };
  let compacting: Promise<void> | undefined;
  const compact = () => {
    compacting = compactNow()
      .catch((err: Error) => log.error({ err: err.message }, 'compaction failed'))
      .finally(() => {
        if (!stopped) timer = scheduler.after(COMPACT_EVERY_MS, compact);
      });
  };
  timer = scheduler.after(COMPACT_EVERY_MS, compact);

  let closing: Promise<void> | undefined;
  return {
    url,
    admin,
    store,
    ingest,
    link,
    pushes,
    upgrades,
    notifier,
    radio,
    close: () => {
      closing ??= (async () => {
        stopped = true;
        timer?.cancel();
        await compacting;
        radio.close();
        await notifier?.close();
        await upgrades.idle();
        upgrades.close();
        live.closeAll();
        await app.close();
        await link?.close();
        await ingest.idle();
        ingest.flush();
        await cluster?.close();
        await store.close();
      })();
      return closing;
    },
  };
}
