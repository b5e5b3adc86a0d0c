/**
 * The brokers the MQTT security tests run against, started the way users run them: the
 * embedded Aedes on its worker thread (the default `intelli-mesh controller` layout) and, when
 * Debian's package is installed, a real Mosquitto with the configuration we render. Plus small
 * client helpers that report what the broker did (accepted, refused, closed) rather than throw.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startBrokerThread, type BrokerThreadOptions } from '../../src/mqtt/broker-thread.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import type { Role } from '../../src/mqtt/principal.ts';
import {
  mosquittoAvailable,
  startMosquittoBroker,
  type MosquittoTestConfig,
} from '../mqtt/mosquitto-process.ts';

export interface TestUser {
  username: string;
  password: string;
  role: Role;
  site?: string;
}

export interface RunningBroker {
  url: string;
  close(): Promise<void>;
}

export interface BrokerKind {
  name: 'embedded' | 'mosquitto';
  start(
    users: readonly TestUser[],
    options?: {
      site?: string;
      embedded?: Omit<BrokerThreadOptions, 'credentials' | 'site'>;
      mosquitto?: MosquittoTestConfig;
    },
  ): Promise<RunningBroker>;
}

/**
 * These tests are about the broker's rules, not the hash's cost: a cheap scrypt keeps each login
 * from costing OWASP's ~0.4 s (mqtt-password-hashing.test.ts checks the real parameters).
 */
const FIXTURE_SCRYPT = { N: 1024, r: 8, p: 1 };

export const embeddedBroker: BrokerKind = {
  name: 'embedded',
  start: (users, options = {}) =>
    startBrokerThread({
      port: 0,
      ...options.embedded,
      site: options.site,
      credentials: CredentialStore.fromUsers(
        users.map((u) => ({
          username: u.username,
          role: u.role,
          ...(u.site !== undefined ? { site: u.site } : {}),
          password_hash: hashPassword(u.password, FIXTURE_SCRYPT),
        })),
      ),
    }),
};

export const mosquittoBroker: BrokerKind = {
  name: 'mosquitto',
  start: (users, options = {}) =>
    startMosquittoBroker(
      users.map((u) => ({ ...u })),
      { ...options.mosquitto, site: options.site },
    ),
};

/** The embedded broker always; Mosquitto when installed (CI installs it). */
export const brokerKinds: BrokerKind[] = mosquittoAvailable()
  ? [embeddedBroker, mosquittoBroker]
  : [embeddedBroker];

export type ConnectOutcome =
  { ok: true; client: MqttClient } | { ok: false; reason: string; returnCode?: number };

/** Connects once (no reconnect) and reports CONNACK accepted, refused, or a closed socket. */
export function tryConnect(
  url: string,
  user: Pick<TestUser, 'username' | 'password'>,
  options: IClientOptions = {},
): Promise<ConnectOutcome> {
  const client = mqtt.connect(url, {
    username: user.username,
    password: user.password,
    clientId: user.username,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...options,
  });
  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      resolve({ ok: false, reason: err.message, returnCode: err.code });
    });
    client.once('close', () => {
      client.end(true);
      resolve({ ok: false, reason: 'closed before CONNACK' });
    });
  });
}

export async function connected(
  url: string,
  user: Pick<TestUser, 'username' | 'password'>,
  options: IClientOptions = {},
): Promise<MqttClient> {
  const outcome = await tryConnect(url, user, options);
  if (!outcome.ok) throw new Error(`${user.username} could not connect: ${outcome.reason}`);
  return outcome.client;
}

/** Records what a client receives; `until` waits for one message, polling nothing. */
export function recorder(client: MqttClient) {
  const seen: { topic: string; payload: string; retain: boolean }[] = [];
  const waiters: { topic: string; payload: string; resolve: () => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString(), retain: packet.retain };
    seen.push(m);
    for (const w of waiters) if (w.topic === topic && w.payload === m.payload) w.resolve();
  });
  return {
    seen,
    until: (topic: string, payload: string) =>
      seen.some((m) => m.topic === topic && m.payload === payload)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ topic, payload, resolve })),
  };
}

/** Resolves with what became of a QoS 1 publish: acknowledged, refused, or the socket closed. */
export function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
  options: { retain?: boolean } = {},
): Promise<'acked' | 'error' | 'closed'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('closed'));
    client.publish(topic, payload, { qos: 1, retain: options.retain ?? false }, (err) =>
      resolve(err ? 'error' : 'acked'),
    );
  });
}
