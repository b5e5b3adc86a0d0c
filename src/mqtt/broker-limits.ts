/**
 * The embedded broker's limits, and the thin adapter that applies them to Aedes' connections and
 * hooks: packet sizes read from each connection's bytes (the CONNECT before authentication),
 * retained bytes per login and in total, the auth-failure throttle per source address, and the
 * Aedes options that bound what a client may have queued (what the broker holds for a slow
 * subscriber is `outbound-limits.ts`'s, with the numbers resolved here). The cores are sans-IO
 * (`packet-size-guard.ts`, `retained-budget.ts`, `auth-failure-throttle.ts`); this file only
 * wires them to streams and the wall clock. The same numbers render into Mosquitto's options
 * (`mosquitto-config.ts`). docs/deployment.md, "MQTT security", lists them for operators.
 *
 * @example
 * const limits = brokerLimits({ maxPacketBytes: 65_536 }, log);
 * const server = createNetServer((socket) =>
 *   limits.accept(socket, socket.remoteAddress, () => aedes.handle(socket)),
 * );
 */
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import { AuthFailureThrottle } from './auth-failure-throttle.ts';
import { MAX_PAYLOAD_BYTES } from './messages.ts';
import { PacketSizeGuard } from './packet-size-guard.ts';
import { RetainedBudget } from './retained-budget.ts';

export interface BrokerLimitsOptions {
  /** Largest CONNECT, read before the client is authenticated. @default 65536 */
  maxConnectBytes?: number | undefined;
  /**
   * Largest packet after the CONNECT: the controller's ingest cap on a payload (256 KiB) and
   * room for a topic and headers. @default 263168
   */
  maxPacketBytes?: number | undefined;
  /** Retained bytes (topic and payload) one login may keep in the broker. @default 1048576 */
  maxRetainedBytesPerClient?: number | undefined;
  /** Retained bytes all logins together may keep. @default 67108864 */
  maxRetainedBytesTotal?: number | undefined;
  /**
   * Packets a client may send before its CONNECT is answered (Aedes `queueLimit`); more closes
   * the connection. @default 42
   */
  maxQueuedBeforeConnack?: number | undefined;
  /** Inbound QoS 2 messages awaiting PUBREL per client (Aedes `maxInflightInbound`). @default 1000 */
  maxInflightInbound?: number | undefined;
  /**
   * Messages on their way to one client at once: written and not yet taken by its socket, or
   * QoS 1/2 not yet acknowledged (Mosquitto's `max_inflight_messages`). Not applied to the
   * controller's login, whose ingest session must lose nothing (`outbound-limits.ts`). @default 100
   */
  maxInflightMessages?: number | undefined;
  /** Messages queued for one client behind those in flight; more are dropped. @default 1000 */
  maxQueuedMessages?: number | undefined;
  /** Topic and payload bytes queued for one client behind those in flight. @default 16777216 */
  maxQueuedBytes?: number | undefined;
  /** Failed logins from one address within `authFailureWindowMs` that block it. @default 10 */
  authFailures?: number | undefined;
  /** @default 60000 */
  authFailureWindowMs?: number | undefined;
  /** The first block; each later one of the same address doubles, to 15 minutes. @default 60000 */
  authBlockMs?: number | undefined;
  /** Addresses the throttle tracks at once. @default 10000 */
  authTrackedAddresses?: number | undefined;
}

export const DEFAULT_BROKER_LIMITS = {
  maxConnectBytes: 64 * 1024,
  maxPacketBytes: MAX_PAYLOAD_BYTES + 1024,
  maxRetainedBytesPerClient: 1024 * 1024,
  maxRetainedBytesTotal: 64 * 1024 * 1024,
  maxQueuedBeforeConnack: 42,
  maxInflightInbound: 1000,
  maxInflightMessages: 100,
  maxQueuedMessages: 1000,
  maxQueuedBytes: 16 * 1024 * 1024,
  authFailures: 10,
  authFailureWindowMs: 60_000,
  authBlockMs: 60_000,
  authTrackedAddresses: 10_000,
} as const satisfies Required<{ [K in keyof BrokerLimitsOptions]: number }>;

export type ResolvedBrokerLimits = { -readonly [K in keyof typeof DEFAULT_BROKER_LIMITS]: number };

export function resolveBrokerLimits(options: BrokerLimitsOptions = {}): ResolvedBrokerLimits {
  const resolved: ResolvedBrokerLimits = { ...DEFAULT_BROKER_LIMITS };
  for (const key of Object.keys(resolved) as (keyof ResolvedBrokerLimits)[]) {
    const value = options[key];
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}

/**
 * Password checks one address may have running at once. Above `authFailures` (a burst is cut
 * before it costs much more than a block's worth of hashes) and high enough for a site's routers
 * behind one NAT address to reconnect together after a broker restart.
 */
export const CONCURRENT_CHECKS_PER_ADDRESS = 64;

export interface BrokerLimits {
  readonly resolved: ResolvedBrokerLimits;
  /**
   * Takes a new connection: destroys it at once when its address is blocked; otherwise calls
   * `handle` (Aedes takes the stream) and then checks its bytes as Aedes reads them, closing it
   * on an oversized packet. The guard sees only what Aedes reads, so it adds no buffering.
   */
  accept(stream: Duplex, address: string | undefined, handle: () => void): void;
  /**
   * Whether a login on `stream` may be checked now; false means refuse without checking. A check
   * takes a hash's time on the thread pool, so the checks running for one address are bounded
   * too (`CONCURRENT_CHECKS_PER_ADDRESS`): a burst of wrong-password CONNECTs would otherwise all
   * start before the first failure is counted, and queue minutes of hashing ahead of everyone
   * else's logins. Call `loginChecked` when the check is over.
   */
  mayTryLogin(stream: Duplex): boolean;
  loginChecked(stream: Duplex): void;
  /** Counts a failed login on `stream` against its address. */
  loginFailed(stream: Duplex): void;
  /** Whether `owner` may retain `payloadBytes` on `topic` (counted when admitted). */
  mayRetain(owner: string, topic: string, payloadBytes: number): boolean;
}

export function brokerLimits(options: BrokerLimitsOptions | undefined, log: Logger): BrokerLimits {
  const resolved = resolveBrokerLimits(options);
  const throttle = new AuthFailureThrottle({
    maxFailures: resolved.authFailures,
    windowMs: resolved.authFailureWindowMs,
    blockMs: resolved.authBlockMs,
    maxBlockMs: Math.max(15 * 60_000, resolved.authBlockMs),
    maxAddresses: resolved.authTrackedAddresses,
    now: () => Date.now(),
  });
  const retained = new RetainedBudget({
    maxBytesPerClient: resolved.maxRetainedBytesPerClient,
    maxBytesTotal: resolved.maxRetainedBytesTotal,
  });
  const addresses = new WeakMap<Duplex, string>();
  const checking = new Map<string, number>();

  return {
    resolved,
    accept: (stream, address, handle) => {
      if (address !== undefined) {
        addresses.set(stream, address);
        if (!throttle.check(address).allowed) {
          stream.destroy();
          return;
        }
      }
      handle();
      const guard = new PacketSizeGuard(resolved);
      // Aedes' 'readable' listener (added by `handle`) is in charge of the flow: 'data' then
      // fires only for what Aedes reads, and does not switch the stream to flowing mode.
      stream.on('data', (chunk: Buffer) => {
        const violation = guard.feed(chunk);
        if (!violation || stream.destroyed) return;
        log.warn({ from: address, ...violation }, 'mqtt connection closed: packet too large');
        stream.destroy();
      });
    },
    mayTryLogin: (stream) => {
      const address = addresses.get(stream);
      if (address === undefined) return true;
      const running = checking.get(address) ?? 0;
      if (running >= CONCURRENT_CHECKS_PER_ADDRESS || !throttle.check(address).allowed)
        return false;
      checking.set(address, running + 1);
      return true;
    },
    loginChecked: (stream) => {
      const address = addresses.get(stream);
      const running = address === undefined ? undefined : checking.get(address);
      if (address === undefined || running === undefined) return;
      if (running <= 1) checking.delete(address);
      else checking.set(address, running - 1);
    },
    loginFailed: (stream) => {
      const address = addresses.get(stream);
      if (address === undefined) return;
      const verdict = throttle.failed(address);
      if (!verdict.allowed) {
        log.warn(
          { from: address, blocked_for_ms: verdict.retryInMs },
          'mqtt logins from this address refused for a while: too many failures',
        );
      }
    },
    mayRetain: (owner, topic, payloadBytes) => retained.admit(owner, topic, payloadBytes),
  };
}
