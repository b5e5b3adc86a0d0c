/**
 * An MQTT broker inside the process (Aedes), listening on TCP and optionally WebSocket, that
 * requires credentials and enforces the shared topic ACL. The demo and tests use it; production
 * may point nodes and the controller at Mosquitto instead.
 *
 * @example
 * const broker = await startEmbeddedBroker({ credentials: store, port: 0 });
 * console.log(broker.url); // mqtt://127.0.0.1:41234
 * await broker.close();
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { silentLogger, type Logger } from '../core/logger.ts';
import { mayPublish, maySubscribe, mayUseClientId } from './acl.ts';
import type { CredentialStore } from './credential-store.ts';
import { indexedMemoryPersistence } from './indexed-memory-persistence.ts';
import type { Principal } from './principal.ts';

export interface EmbeddedBrokerOptions {
  credentials: CredentialStore;
  /** @default '127.0.0.1' */
  host?: string;
  /** TCP port; 0 picks a free one. @default 1883 */
  port?: number;
  /** WebSocket port; omitted means no WebSocket listener, 0 picks a free one. */
  wsPort?: number;
  /** An Aedes persistence instance; the default keeps sessions in memory. */
  persistence?: AedesOptions['persistence'];
  logger?: Logger;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly aedes: Aedes;
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
  const host = options.host ?? '127.0.0.1';
  const principals = new WeakMap<Client, Principal>();

  const aedes = await Aedes.createBroker({
    // The stock in-memory persistence scans a client's whole queue at every PUBACK.
    persistence: options.persistence ?? indexedMemoryPersistence(),
    authenticate: (client, username, password, done) => {
      const principal =
        username !== undefined && password !== undefined
          ? options.credentials.authenticate(username, password.toString('utf8'))
          : undefined;
      if (!principal) {
        log.warn({ client: client.id, username }, 'mqtt login refused: bad credentials');
        done(authError('bad username or password', BAD_CREDENTIALS) as never, false);
        return;
      }
      if (!mayUseClientId(principal, client.id)) {
        log.warn({ client: client.id, username }, 'mqtt login refused: client id of another');
        done(authError(`client id must start with '${username}'`, NOT_AUTHORIZED) as never, false);
        return;
      }
      principals.set(client, principal);
      done(null, true);
    },
    authorizePublish: (client, packet, done) => {
      // The broker itself (client null) publishes $SYS topics; those never reach us here.
      const principal = client ? principals.get(client) : undefined;
      if (client && (!principal || !mayPublish(principal, packet.topic))) {
        log.warn({ client: client.id, topic: packet.topic }, 'mqtt publish refused by ACL');
        done(new Error(`not allowed to publish on ${packet.topic}`));
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

  const tcp: Server = createNetServer(aedes.handle);
  await listen(tcp, options.port ?? 1883, host);
  const tcpPort = (tcp.address() as AddressInfo).port;

  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  let wsUrl: string | undefined;
  if (options.wsPort !== undefined) {
    http = createHttpServer();
    wss = new WebSocketServer({ server: http });
    wss.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
    await listen(http, options.wsPort, host);
    wsUrl = `ws://${host}:${(http.address() as AddressInfo).port}`;
  }

  log.info({ url: `mqtt://${host}:${tcpPort}`, wsUrl }, 'embedded MQTT broker listening');

  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${host}:${tcpPort}`,
    wsUrl,
    aedes,
    close: () => {
      closing ??= (async () => {
        for (const client of wss?.clients ?? []) client.terminate();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await Promise.all([closeServer(tcp), http ? closeServer(http) : undefined]);
      })();
      return closing;
    },
  };
}

function listen(server: Server | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
