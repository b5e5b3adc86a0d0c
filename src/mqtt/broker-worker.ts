/**
 * The worker-thread side of `startBrokerThread`: runs the embedded Aedes broker (same
 * credentials, same ACL) on its own event loop and reports its addresses and log lines to the
 * thread that started it. Not imported directly; `broker-thread.ts` starts it.
 *
 * @example
 * // inside a Worker started with workerData: { users, hosts, port, wsPort, tls }
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFn, Logger } from '../core/logger.ts';
import { CredentialStore, type StoredUser } from './credential-store.ts';
import {
  BrokerListenError,
  startEmbeddedBroker,
  type BrokerListener,
  type EmbeddedBrokerOptions,
} from './embedded-broker.ts';

export interface BrokerWorkerData extends Pick<
  EmbeddedBrokerOptions,
  'site' | 'limits' | 'hosts' | 'port' | 'wsPort' | 'tls' | 'journalPath'
> {
  users: StoredUser[];
}

/** Which listener could not be opened, and the system's error code. */
export type BrokerListenFailure = Pick<BrokerListenError, 'protocol' | 'host' | 'port' | 'code'>;

export type BrokerWorkerMessage =
  | { type: 'ready'; url: string; wsUrl: string | undefined; listeners: BrokerListener[] }
  | { type: 'failed'; message: string; listen?: BrokerListenFailure }
  | { type: 'log'; level: keyof Logger; obj: object; msg: string | undefined }
  | { type: 'dropped'; count: number }
  | { type: 'closed' };

const port = parentPort!;
const post = (m: BrokerWorkerMessage) => port.postMessage(m);

function forward(level: keyof Logger): LogFn {
  return ((objOrMsg: object | string, msg?: string) => {
    if (typeof objOrMsg === 'string') post({ type: 'log', level, obj: {}, msg: objOrMsg });
    else post({ type: 'log', level, obj: objOrMsg, msg });
  }) as LogFn;
}

/** Drops for slow clients, reported at most every 100 ms (there may be thousands a second). */
let unreported = 0;
let reporting: NodeJS.Timeout | undefined;
function dropped(count: number): void {
  unreported += count;
  reporting ??= setTimeout(() => {
    reporting = undefined;
    post({ type: 'dropped', count: unreported });
    unreported = 0;
  }, 100);
}

const data = workerData as BrokerWorkerData;
try {
  const broker = await startEmbeddedBroker({
    credentials: CredentialStore.fromUsers(data.users),
    site: data.site,
    limits: data.limits,
    hosts: data.hosts,
    port: data.port,
    wsPort: data.wsPort,
    tls: data.tls,
    journalPath: data.journalPath,
    onDropped: dropped,
    logger: {
      debug: forward('debug'),
      info: forward('info'),
      warn: forward('warn'),
      error: forward('error'),
    },
  });
  port.on('message', (m: { type: string }) => {
    if (m.type !== 'close') return;
    void broker.close().then(() => {
      post({ type: 'closed' });
      port.close();
    });
  });
  post({ type: 'ready', url: broker.url, wsUrl: broker.wsUrl, listeners: [...broker.listeners] });
} catch (err) {
  const listen =
    err instanceof BrokerListenError
      ? { protocol: err.protocol, host: err.host, port: err.port, code: err.code }
      : undefined;
  post({ type: 'failed', message: (err as Error).message, ...(listen ? { listen } : {}) });
  port.close();
}
