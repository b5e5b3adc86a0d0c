/**
 * An MQTT broker inside the process (Aedes) that requires credentials and enforces the shared
 * topic ACL. It listens on plain TCP (mqtt://) and optionally WebSocket (ws://), on one or
 * several addresses, and with a certificate also on MQTT over TLS (mqtts://) and WebSocket over
 * TLS (wss://), where clients may in addition be required to show a certificate of a given CA.
 * The demo and tests use it, and so does `intelli-mesh controller`; production may point nodes
 * and the controller at Mosquitto instead.
 *
 * @example
 * const broker = await startEmbeddedBroker({ credentials: store, port: 0 });
 * console.log(broker.url); // mqtt://127.0.0.1:41234
 * const exposed = await startEmbeddedBroker({
 *   credentials: store,
 *   tls: { cert, key, hosts: ['0.0.0.0'], port: 8883, wsPort: 8884 },
 * });
 * exposed.listeners.map((l) => l.url); // ['mqtt://127.0.0.1:1883', 'mqtts://127.0.0.1:8883', 'wss://127.0.0.1:8884']
 * await broker.close();
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createNetServer,
  isIP,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { IntelliMeshError } from '../core/errors.ts';
import { connectHost, urlHost } from '../core/net-address.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { mayKeepSession, mayPublish, maySubscribe, mayUseClientId } from './acl.ts';
import { brokerLimits, type BrokerLimitsOptions } from './broker-limits.ts';
import type { CredentialStore } from './credential-store.ts';
import { BrokerJournal } from './broker-journal.ts';
import { attachDurableInbox, type DurableInbox } from './durable-inbox.ts';
import { indexedMemoryOf, indexedMemoryPersistence } from './indexed-memory-persistence.ts';
import { attachOutboundLimits, type OutboundGuard, type OutboundStats } from './outbound-limits.ts';
import type { Principal } from './principal.ts';

export type BrokerProtocol = 'mqtt' | 'ws' | 'mqtts' | 'wss';

/** A listener could not be opened (address not on this machine, port in use, no permission). */
export class BrokerListenError extends IntelliMeshError {
  constructor(
    readonly protocol: BrokerProtocol,
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An empty list of listen addresses: the plain listener, at least, is needed. */
export class BrokerAddressMissingError extends IntelliMeshError {}

export interface BrokerListener {
  protocol: BrokerProtocol;
  /** The address listened on, as given (possibly a wildcard). */
  host: string;
  port: number;
  /** Where a client on this machine connects (a wildcard's loopback). */
  url: string;
}

export interface BrokerTlsOptions {
  /** PEM certificate, or the chain with the broker's own certificate first. */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
  /** PEM CA certificates: when given, a client must also show a certificate signed by one. */
  clientCa?: string | undefined;
  /** Addresses of the mqtts:// and wss:// listeners. @default ['127.0.0.1'] */
  hosts?: readonly string[] | undefined;
  /** mqtts:// port; 0 picks a free one. @default 8883 */
  port?: number | undefined;
  /** wss:// port; omitted means no WebSocket-over-TLS listener, 0 picks a free one. */
  wsPort?: number | undefined;
}

export interface EmbeddedBrokerOptions {
  credentials: CredentialStore;
  /** Addresses of the plain mqtt:// and ws:// listeners. @default ['127.0.0.1'] */
  hosts?: readonly string[] | undefined;
  /** mqtt:// port; 0 picks a free one. @default 1883 */
  port?: number | undefined;
  /** ws:// port; omitted means no WebSocket listener, 0 picks a free one. */
  wsPort?: number | undefined;
  /** MQTT over TLS, and WebSocket over TLS when `tls.wsPort` is given. @default none */
  tls?: BrokerTlsOptions | undefined;
  /**
   * The site of nodes whose credentials name none (files from before sites were recorded);
   * `intelli-mesh controller` passes its `--site`. Without it such a node may use any site.
   */
  site?: string | undefined;
  /** Packet sizes, retained bytes, queues, the auth-failure throttle. @default DEFAULT_BROKER_LIMITS */
  limits?: BrokerLimitsOptions | undefined;
  /** An Aedes persistence instance; the default keeps sessions in memory. */
  persistence?: AedesOptions['persistence'];
  /** Called with the number of messages dropped for slow clients, as they are (for the metric). */
  onDropped?: ((count: number) => void) | undefined;
  /**
   * SQLite file where a node's QoS 1 messages are kept from before their PUBACK until the
   * controller's ingest acknowledged them (see `durable-inbox.ts`). @default none: a crash loses
   * what was acknowledged but not yet stored
   */
  journalPath?: string | undefined;
  logger?: Logger;
}

export interface EmbeddedBroker {
  /** The first plain mqtt:// listener, as a client on this machine reaches it. */
  readonly url: string;
  /** The first ws:// listener, if any. */
  readonly wsUrl: string | undefined;
  /** Every listener, in the order: mqtt, ws, mqtts, wss; each protocol in the order of its hosts. */
  readonly listeners: readonly BrokerListener[];
  readonly aedes: Aedes;
  /** What the per-client outbound limits dropped. */
  readonly outbound: OutboundStats;
  close(): Promise<void>;
}

/** Aedes' CONNACK code for a bad username or password (MQTT 3.1.1 return code 4). */
const BAD_CREDENTIALS = 4;
/** Aedes' CONNACK code for "not authorised" (return code 5). */
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode });
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.logger ?? silentLogger;
  const principals = new WeakMap<Client, Principal>();
  const limits = brokerLimits(options.limits, log);

  // Opened first: a journal that cannot be opened stops the start before anything runs.
  const journal =
    options.journalPath === undefined ? undefined : BrokerJournal.open(options.journalPath);
  // The controller's ingest session: the journal's acknowledgements come from it.
  const isIngest = (client: Client) =>
    principals.get(client)?.role === 'controller' && client.id.endsWith(':ingest');
  // Made once Aedes exists; logins are checked only after that.
  const late: { outbound?: OutboundGuard } = {};
  const aedes = await Aedes.createBroker({
    queueLimit: limits.resolved.maxQueuedBeforeConnack,
    maxInflightInbound: limits.resolved.maxInflightInbound,
    // The stock in-memory persistence scans a client's whole queue at every PUBACK.
    persistence: options.persistence ?? indexedMemoryPersistence(),
    authenticate: (client, username, password, done) => {
      // A blocked address gets no password check: each costs a deliberately slow hash.
      if (!limits.mayTryLogin(client.conn)) {
        log.warn({ client: client.id, username }, 'mqtt login refused: address throttled');
        done(authError('too many failed logins from this address', NOT_AUTHORIZED) as never, false);
        return;
      }
      if (username === undefined || password === undefined) {
        decide(undefined);
        return;
      }
      // The hash runs on the thread pool: other clients are served meanwhile.
      void options.credentials
        .authenticate(username, password.toString('utf8'))
        .then(decide, () => decide(undefined));
      function decide(found: Principal | undefined): void {
        limits.loginChecked(client.conn);
        const principal =
          (found?.role === 'node' || found?.role === 'radio-gateway') &&
          found.site === undefined &&
          options.site !== undefined
            ? { ...found, site: options.site }
            : found;
        if (!principal) {
          log.warn({ client: client.id, username }, 'mqtt login refused: bad credentials');
          limits.loginFailed(client.conn);
          done(authError('bad username or password', BAD_CREDENTIALS) as never, false);
          return;
        }
        if (!mayUseClientId(principal, client.id)) {
          log.warn({ client: client.id, username }, 'mqtt login refused: client id of another');
          done(
            authError(`client id must start with '${username}'`, NOT_AUTHORIZED) as never,
            false,
          );
          return;
        }
        if (!client.clean && !mayKeepSession(principal)) {
          log.warn(
            { client: client.id, username },
            'mqtt login refused: viewers use clean sessions',
          );
          done(
            authError('a viewer must connect with a clean session', NOT_AUTHORIZED) as never,
            false,
          );
          return;
        }
        principals.set(client, principal);
        // Before Aedes restores the session's subscriptions, which bind its deliver functions.
        late.outbound?.admit(client);
        done(null, true);
      }
    },
    authorizePublish: (client, packet, done) => {
      // The broker itself (client null) publishes $SYS topics; those never reach us here.
      const principal = client ? principals.get(client) : undefined;
      if (client && (!principal || !mayPublish(principal, packet.topic))) {
        log.warn({ client: client.id, topic: packet.topic }, 'mqtt publish refused by ACL');
        done(new Error(`not allowed to publish on ${packet.topic}`));
        return;
      }
      if (
        client &&
        principal &&
        packet.retain &&
        !limits.mayRetain(principal.username, packet.topic, packet.payload.length)
      ) {
        log.warn({ client: client.id, topic: packet.topic }, 'mqtt retained publish over budget');
        done(new Error(`retained bytes of ${principal.username} over budget`));
        return;
      }
      done(null);
    },
    authorizeSubscribe: (client, subscription, done) => {
      const principal = principals.get(client);
      if (!principal || !maySubscribe(principal, subscription.topic)) {
        log.warn({ client: client.id, topic: subscription.topic }, 'mqtt subscribe refused');
        // A null subscription makes Aedes answer SUBACK 0x80 for this filter only.
        done(null, null);
        return;
      }
      done(null, subscription);
    },
  });

  const outbound = (late.outbound = attachOutboundLimits(aedes, {
    limits: {
      maxInflight: limits.resolved.maxInflightMessages,
      maxQueued: limits.resolved.maxQueuedMessages,
      maxQueuedBytes: limits.resolved.maxQueuedBytes,
    },
    // The controller's login: its ingest session must never lose a message, and the rendered
    // Mosquitto sizes its one queue limit for the controller too.
    isExempt: (client) => principals.get(client)?.role === 'controller',
    discard: (clientId, packet) =>
      indexedMemoryOf(persistenceOf(aedes))?.outgoingDiscard(clientId, packet),
    onDropped: options.onDropped,
    logger: log,
  }));
  const memory = indexedMemoryOf(persistenceOf(aedes));
  if (memory) memory.offlineCap = outbound.offline;

  const inbox: DurableInbox | undefined =
    journal === undefined
      ? undefined
      : attachDurableInbox(aedes, {
          journal,
          isJournaled: (client) => principals.get(client)?.role === 'node',
          isIngest,
          logger: log,
        });

  const servers: (Server | HttpServer)[] = [];
  const sockets: WebSocketServer[] = [];
  const listeners: BrokerListener[] = [];
  const hosts = options.hosts ?? ['127.0.0.1'];
  const tls = options.tls;
  const tlsHosts = tls?.hosts ?? ['127.0.0.1'];
  // The plain listener is not optional: the controller's own session (mqtt:// only) uses it.
  if (hosts.length === 0 || tlsHosts.length === 0) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    inbox?.close();
    throw new BrokerAddressMissingError(
      `no listen address for the ${hosts.length === 0 ? 'mqtt://' : 'mqtts://'} listener`,
    );
  }
  const tlsOptions: TlsOptions | undefined = tls && {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa !== undefined
      ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
      : {}),
  };
  const handleWs = (server: HttpServer) => {
    // One MQTT packet per WebSocket message: a larger message is refused by ws itself.
    const wss = new WebSocketServer({ server, maxPayload: limits.resolved.maxPacketBytes });
    wss.on('connection', (socket, req) => {
      const stream = createWebSocketStream(socket);
      limits.accept(stream, req.socket.remoteAddress, () => aedes.handle(stream, req));
    });
    sockets.push(wss);
    return server;
  };
  const open = async (
    protocol: BrokerProtocol,
    on: readonly string[],
    port: number,
    make: () => Server | HttpServer,
  ) => {
    // Every address on the same port: the first one's, when 0 had it picked.
    let chosen = port;
    for (const host of on) {
      const server = make();
      servers.push(server);
      const url = `${protocol}://${urlHost(connectHost(host))}`;
      if (protocol === 'mqtts' || protocol === 'wss') {
        server.on('tlsClientError', (err: Error, socket: { remoteAddress?: string }) =>
          log.warn(
            {
              listener: `${protocol}://${urlHost(host)}:${chosen}`,
              from: socket.remoteAddress,
              ...handshakeFailure(err),
            },
            'TLS handshake failed',
          ),
        );
      }
      // Linux cannot listen on `::` (dual-stack) and on an IPv4 address at one port.
      const ipv6Only = host === '::' && on.some((h) => isIP(h) === 4);
      await listen(server, chosen, host, ipv6Only).catch((err: NodeJS.ErrnoException) => {
        throw new BrokerListenError(
          protocol,
          host,
          chosen,
          err.code,
          `cannot listen for ${protocol}:// on ${urlHost(host)}:${chosen}: ${explainListenError(err)}`,
          { cause: err },
        );
      });
      chosen = (server.address() as AddressInfo).port;
      listeners.push({ protocol, host, port: chosen, url: `${url}:${chosen}` });
    }
  };

  try {
    const handleSocket = (socket: Socket) =>
      limits.accept(socket, socket.remoteAddress, () => aedes.handle(socket));
    await open('mqtt', hosts, options.port ?? 1883, () => createNetServer(handleSocket));
    if (options.wsPort !== undefined) {
      await open('ws', hosts, options.wsPort, () => handleWs(createHttpServer()));
    }
    if (tls && tlsOptions) {
      await open('mqtts', tlsHosts, tls.port ?? 8883, () =>
        createTlsServer(tlsOptions, handleSocket),
      );
      if (tls.wsPort !== undefined) {
        await open('wss', tlsHosts, tls.wsPort, () => handleWs(createHttpsServer(tlsOptions)));
      }
    }
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    inbox?.close();
    await Promise.all(servers.map(closeServer));
    throw err;
  }

  const url = listeners.find((l) => l.protocol === 'mqtt')!.url;
  const wsUrl = listeners.find((l) => l.protocol === 'ws')?.url;
  log.info(
    { listeners: listeners.map((l) => `${l.protocol}://${urlHost(l.host)}:${l.port}`) },
    'embedded MQTT broker listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    wsUrl,
    listeners,
    aedes,
    outbound: outbound.stats,
    close: () => {
      closing ??= (async () => {
        for (const wss of sockets) for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        inbox?.close();
        await Promise.all(servers.map(closeServer));
      })();
      return closing;
    },
  };
}

/** Aedes sets `persistence` in listen(); its types do not declare it. */
function persistenceOf(aedes: Aedes): unknown {
  return (aedes as unknown as { persistence?: unknown }).persistence;
}

const HANDSHAKE_HINTS: Record<string, string> = {
  ECONNRESET:
    'the client left during the handshake: it may not trust this certificate, or reached an address the certificate does not name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the client spoke plain MQTT or HTTP to the TLS port',
  ERR_SSL_HTTP_REQUEST: 'the client spoke plain HTTP to the TLS port',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'the client showed no certificate, which is required',
  ERR_SSL_CERTIFICATE_VERIFY_FAILED: "the client's certificate is not signed by the client CA",
};

/** A failed TLS handshake for the log: OpenSSL's readable reason, its code and a hint. */
function handshakeFailure(err: Error & { code?: string; reason?: string }): object {
  const hint = err.code ? HANDSHAKE_HINTS[err.code] : undefined;
  return { err: err.reason ?? err.message, code: err.code, ...(hint ? { hint } : {}) };
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is in use',
  EADDRNOTAVAIL: 'not an address of this machine',
  EACCES: 'ports below 1024 need root or CAP_NET_BIND_SERVICE',
};

function explainListenError(err: NodeJS.ErrnoException): string {
  const hint = err.code ? LISTEN_HINTS[err.code] : undefined;
  return hint ? `${hint} (${err.code})` : err.message;
}

function listen(
  server: Server | HttpServer,
  port: number,
  host: string,
  ipv6Only: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
