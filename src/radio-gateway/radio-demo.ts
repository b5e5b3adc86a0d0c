/**
 * A simulated radio mesh for the demo (and tests): about ten meshlink nodes on a lossy
 * in-memory channel with nRF24-sized 32-byte frames, as the seed's 10–20 devices, one of them a
 * radio gateway that reports to the controller's broker with its own `radio-gateway` login.
 * `kill` and `revive` take a radio node off the air and back (the demo's fault panel).
 *
 * @example
 * const creds = radioDemoCredentials();
 * // add creds.user to the broker's CredentialStore, then:
 * const radio = await startRadioDemo({ mqttUrl: broker.url, site: 'demo', ...creds });
 * radio.kill(5); // the controller reports node 5 unreachable after its threshold
 * radio.revive(5);
 * await radio.close();
 */
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../core/logger.ts';
import { seededRandom } from '../core/random.ts';
import { RealScheduler } from '../core/real-scheduler.ts';
import type { Scheduler } from '../core/scheduler.ts';
import { IntelliMeshError } from '../core/errors.ts';
import { MeshlinkHost } from '../meshlink/meshlink-host.ts';
import { RANDOM_SECRET_SCRYPT, hashPassword } from '../mqtt/password-hash.ts';
import type { StoredUser } from '../mqtt/credential-store.ts';
import { MemoryHub, NRF24_MTU, type MemoryMedium } from '../transport/memory-hub.ts';
import { UniformLinkModel } from '../transport/uniform-link-model.ts';
import { GatewayMqttLink } from './gateway-mqtt-link.ts';
import { RadioGateway } from './radio-gateway.ts';

/** A kill or revive that does not fit the mesh (unknown node, the gateway, already dead). */
export class RadioDemoFaultError extends IntelliMeshError {}

export const RADIO_DEMO_GATEWAY = 'radio-gw';
export const RADIO_DEMO_NETWORK = 'demo-radio';

export interface RadioDemoOptions {
  mqttUrl: string;
  site: string;
  /** @default RADIO_DEMO_NETWORK */
  network?: string;
  /** The gateway's MQTT username (a `radio-gateway` user of `network`). @default RADIO_DEMO_GATEWAY */
  username?: string;
  password: string;
  /** Radio nodes including the gateway, 2..20. @default 10 */
  nodes?: number;
  /** Loss per copy on each radio link. @default 0.03 */
  lossRate?: number;
  /** @default 1 */
  seed?: number;
  /** @default 5000 */
  pingIntervalMs?: number;
  /** @default 20000 */
  scanIntervalMs?: number;
  /** @default a RealScheduler (the demo runs in real time) */
  scheduler?: Scheduler;
  logger?: Logger;
}

export interface RadioDemoNode {
  address: number;
  alive: boolean;
  gateway: boolean;
}

export interface RunningRadioDemo {
  network: string;
  gateway: RadioGateway;
  /** Every radio node of the mesh, the gateway first. */
  nodes(): RadioDemoNode[];
  /** Undirected radio links between addresses. */
  links: readonly [number, number][];
  kill(address: number): void;
  revive(address: number): void;
  close(): Promise<void>;
}

/** A login for the demo gateway: the user for the broker's credentials and its password. */
export function radioDemoCredentials(
  username = RADIO_DEMO_GATEWAY,
  network = RADIO_DEMO_NETWORK,
): { username: string; network: string; password: string; user: StoredUser } {
  const password = randomBytes(18).toString('base64url');
  return {
    username,
    network,
    password,
    user: {
      username,
      role: 'radio-gateway',
      network,
      password_hash: hashPassword(password, RANDOM_SECRET_SCRYPT),
    },
  };
}

/** Address of the i-th node: the gateway is 1, the others 2, 3, … */
const addressOf = (i: number): number => i + 1;

/**
 * A ladder: two rows of nodes, each linked to the next in its row and to its partner across, so
 * most nodes are several hops from the gateway and every node has a second path.
 */
export function radioDemoLinks(count: number): [number, number][] {
  const links: [number, number][] = [];
  for (let i = 0; i + 2 < count; i++) links.push([addressOf(i), addressOf(i + 2)]);
  for (let i = 0; i + 1 < count; i += 2) links.push([addressOf(i), addressOf(i + 1)]);
  return links;
}

export async function startRadioDemo(o: RadioDemoOptions): Promise<RunningRadioDemo> {
  const count = o.nodes ?? 10;
  if (!Number.isInteger(count) || count < 2 || count > 20)
    throw new RadioDemoFaultError(`nodes: ${count} is outside 2..20`);
  const network = o.network ?? RADIO_DEMO_NETWORK;
  const username = o.username ?? RADIO_DEMO_GATEWAY;
  const log = o.logger ?? silentLogger;
  const scheduler = o.scheduler ?? new RealScheduler();
  const seed = o.seed ?? 1;
  const links = radioDemoLinks(count);
  const model = new UniformLinkModel({
    links: links.map(([a, b]) => [String(a), String(b)] as const),
    lossRate: o.lossRate ?? 0.03,
    latencyMs: 4,
    jitterMs: 4,
    seed,
  });
  const hub = new MemoryHub(scheduler, model, { mtu: NRF24_MTU });
  const hosts = new Map<number, { host: MeshlinkHost; medium: MemoryMedium } | undefined>();
  const boot = (address: number, generation: number) => {
    const medium = hub.attach(String(address));
    const host = new MeshlinkHost({
      address,
      medium,
      scheduler,
      random: seededRandom(seed * 1000 + address * 17 + generation),
      // Radio nodes far from the gateway answer within a few retries on a lossy link.
      pingTimeoutMs: 1000,
      scanWindowMs: 200,
    });
    // Every radio node answers a stream with an echo of what it got (the `node` command's service).
    host.on('connection', (stream) => stream.pipe(stream));
    hosts.set(address, { host, medium });
  };
  for (let i = 0; i < count; i++) boot(addressOf(i), 0);
  const gatewayHost = hosts.get(1)!.host;

  const link = await GatewayMqttLink.connect({
    url: o.mqttUrl,
    site: o.site,
    network,
    gateway: username,
    password: o.password,
    clock: scheduler,
    address: 1,
    logger: log,
  });
  const gateway = new RadioGateway({
    site: o.site,
    network,
    gateway: username,
    host: gatewayHost,
    scheduler,
    publisher: link,
    pingIntervalMs: o.pingIntervalMs ?? 5000,
    scanIntervalMs: o.scanIntervalMs ?? 20_000,
    scanDepth: 6,
    logger: log,
  });
  const offCommand = link.onCommand((payload) => gateway.command(payload));
  const offReconnect = link.onReconnect(() => gateway.announce());
  gateway.start();

  let generation = 0;
  const check = (address: number): void => {
    if (!hosts.has(address))
      throw new RadioDemoFaultError(`radio node ${address} is not in the demo mesh`);
    if (address === 1) throw new RadioDemoFaultError('radio node 1 is the gateway: it stays up');
  };
  return {
    network,
    gateway,
    links,
    nodes: () =>
      [...hosts.entries()].map(([address, h]) => ({
        address,
        alive: h !== undefined,
        gateway: address === 1,
      })),
    kill: (address) => {
      check(address);
      const h = hosts.get(address);
      if (!h) throw new RadioDemoFaultError(`radio node ${address} is already off the air`);
      h.host.close();
      void h.medium.close();
      hosts.set(address, undefined);
    },
    revive: (address) => {
      check(address);
      if (hosts.get(address)) throw new RadioDemoFaultError(`radio node ${address} is on the air`);
      boot(address, ++generation);
    },
    close: async () => {
      offCommand();
      offReconnect();
      await gateway.stop();
      await link.close();
      for (const h of hosts.values()) {
        h?.host.close();
        await h?.medium.close();
      }
    },
  };
}
