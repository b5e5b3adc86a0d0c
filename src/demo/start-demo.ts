/**
 * The whole self-healing demo in one process: an embedded MQTT broker with a login per node
 * (generated at start), the controller with its API and dashboard, and the simulated mesh paced
 * to the wall clock, each node publishing its state, metrics and decisions as itself. The
 * dashboard's fault panel drives the simulator through /api/demo/faults. A small simulated radio
 * mesh (meshlink nodes, one of them a radio gateway with its own broker login) reports to the
 * same controller; the fault panel takes its nodes off the air too (RadioFaults).
 *
 * @example
 * const demo = await startDemo({ port: 8080, nodes: 24, seed: 1, dbPath: '/tmp/demo.db' });
 * console.log(demo.url, demo.admin.generatedPassword);
 * await demo.close();
 */
import { randomBytes } from 'node:crypto';
import type { AdminBootstrap } from '../controller/admin-bootstrap.ts';
import {
  startController,
  type ControllerOptions,
  type RunningController,
} from '../controller/controller.ts';
import type { NotifyConfig } from '../controller/notify/notify-config.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { RealScheduler } from '../core/real-scheduler.ts';
import { CredentialStore } from '../mqtt/credential-store.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../mqtt/password-hash.ts';
import {
  radioDemoCredentials,
  startRadioDemo,
  type RunningRadioDemo,
} from '../radio-gateway/radio-demo.ts';
import { DemoNodeLink } from './demo-node-link.ts';
import { DEMO_IMAGES } from './demo-images.ts';
import { DemoWorld, type DemoUpgradeTiming } from './demo-world.ts';
import { RadioFaults } from './radio-faults.ts';

export interface DemoOptions {
  /** HTTP port of the dashboard; 0 picks a free one. @default 8080 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 24 */
  nodes?: number;
  /** Wi-Fi clients that walk across the site (0: only the ones that stay near a node). @default 8 */
  mobileClients?: number;
  /** @default 1 */
  seed?: number;
  dbPath: string;
  webRoot?: string;
  /** @default 'demo' */
  site?: string;
  /** From INTELLI_MESH_PASSWORD; generated on the first start otherwise (see ensureAdmin). */
  adminPassword?: string;
  /** @default 2000 */
  stateEveryMs?: number;
  /** @default 5000 */
  metricsEveryMs?: number;
  /** How long the simulated upgrades' steps take. @default DEMO_UPGRADE_TIMING */
  upgradeTiming?: Partial<DemoUpgradeTiming>;
  /** Outbound notifications of the demo's alerts (webhooks, e-mail). @default none */
  notify?: NotifyConfig;
  logger?: Logger;
  /** A site file whose VLANs and SSIDs the dashboard may edit (see controller/site-editor.ts). */
  siteFile?: string;
  /** Radio nodes of the simulated radio mesh, its gateway included (0: none). @default 10 */
  radioNodes?: number;
  /** When a silent radio node is unreachable, and alerted. @default DEMO_RADIO_THRESHOLDS */
  radio?: ControllerOptions['radio'];
}

export interface RunningDemo {
  url: string;
  admin: AdminBootstrap;
  world: DemoWorld;
  controller: RunningController;
  broker: EmbeddedBroker;
  /** The simulated radio mesh and its gateway, reporting to the controller over MQTT. */
  radio: RunningRadioDemo | undefined;
  close(): Promise<void>;
}

/**
 * A newcomer who kills a radio node should not wait the controller's default 30 s: the demo's
 * gateway pings every node every 5 s, so 15 s is three missed rounds.
 */
export const DEMO_RADIO_THRESHOLDS: NonNullable<ControllerOptions['radio']> = {
  liveness: { unreachableAfterMs: 15_000, alertAfterMs: 30_000 },
};

const PACE_MS = 50;
const PRESENCE_MS = 250;

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const log = o.logger ?? silentLogger;
  const site = o.site ?? 'demo';
  const wall = new RealScheduler();
  const t0 = wall.now();
  const world = new DemoWorld({
    nodes: o.nodes ?? 24,
    seed: o.seed ?? 1,
    wallClock: () => wall.now(),
    toWall: (virtualMs) => t0 + virtualMs,
    ...(o.upgradeTiming ? { upgradeTiming: o.upgradeTiming } : {}),
    ...(o.mobileClients !== undefined ? { mobileClients: o.mobileClients } : {}),
  });
  const toWall = (virtualMs: number) => t0 + virtualMs;

  const passwords = new Map(world.nodeNames.map((n) => [n, randomBytes(18).toString('base64url')]));
  const controllerPassword = randomBytes(18).toString('base64url');
  const radioLogin = radioDemoCredentials();
  const credentials = CredentialStore.fromUsers([
    {
      username: 'controller',
      role: 'controller',
      password_hash: hashPassword(controllerPassword, RANDOM_SECRET_SCRYPT),
    },
    ...[...passwords].map(([username, pw]) => ({
      username,
      role: 'node' as const,
      password_hash: hashPassword(pw, RANDOM_SECRET_SCRYPT),
    })),
    radioLogin.user,
  ]);
  const broker = await startEmbeddedBroker({ credentials, site, port: 0, logger: log });
  let controller: RunningController;
  let radio: RunningRadioDemo | undefined;
  try {
    // The radio mesh's gateway logs in to the same broker as a `radio-gateway` of its network.
    const radioNodes = o.radioNodes ?? 10;
    radio =
      radioNodes > 0
        ? await startRadioDemo({
            mqttUrl: broker.url,
            site,
            username: radioLogin.username,
            network: radioLogin.network,
            password: radioLogin.password,
            nodes: radioNodes,
            seed: o.seed ?? 1,
            scheduler: wall,
            logger: log,
          })
        : undefined;
    controller = await startController({
      site,
      dbPath: o.dbPath,
      mqttUrl: broker.url,
      mqttPassword: controllerPassword,
      scheduler: wall,
      host: o.host,
      port: o.port ?? 8080,
      adminPassword: o.adminPassword,
      webRoot: o.webRoot,
      demo: radio ? new RadioFaults(world.faults, radio, () => wall.now()) : world.faults,
      demoImages: DEMO_IMAGES,
      siteFile: o.siteFile,
      radio: o.radio ?? DEMO_RADIO_THRESHOLDS,
      notify: o.notify,
      logger: log,
    });
  } catch (err) {
    await radio?.close();
    await broker.close();
    throw err;
  }

  const links = new Map(
    world.nodeNames.map((node) => [
      node,
      new DemoNodeLink({
        world,
        node,
        url: broker.url,
        site,
        password: passwords.get(node)!,
        scheduler: wall,
        toWall,
        logger: log,
      }),
    ]),
  );
  world.onEvent((e) => links.get(e.node)?.publishEvent(e));

  // Virtual time follows the wall clock; a late slice catches up in one go.
  world.advanceTo(0);
  const timers = [
    setInterval(() => world.advanceTo(wall.now() - t0), PACE_MS),
    setInterval(() => {
      for (const l of links.values())
        l.sync().catch((err: Error) => log.warn({ err: err.message }, 'node link failed'));
    }, PRESENCE_MS),
    setInterval(() => {
      for (const l of links.values())
        l.publishState().catch((err: Error) => log.warn({ err: err.message }, 'state lost'));
    }, o.stateEveryMs ?? 2_000),
    setInterval(() => {
      for (const l of links.values()) l.publishMetrics();
    }, o.metricsEveryMs ?? 5_000),
  ];
  await Promise.all([...links.values()].map((l) => l.sync()));

  let closing: Promise<void> | undefined;
  return {
    url: controller.url,
    admin: controller.admin,
    world,
    controller,
    broker,
    radio,
    close: () => {
      closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        await Promise.all([...links.values()].map((l) => l.close()));
        await radio?.close();
        await controller.close();
        await broker.close();
      })();
      return closing;
    },
  };
}
