/**
 * The embedded Aedes broker on a worker thread of its own. In one event loop with the
 * controller, the broker's per-message work (parsing, ACL, routing, QoS 1 bookkeeping, socket
 * writes) and the controller's ingest take turns on one core; on a thread each has a core.
 * Same credentials, ACL and listeners (plain, WebSocket, TLS) as `startEmbeddedBroker`, which it
 * runs inside the worker.
 *
 * @example
 * const broker = await startBrokerThread({ credentials: store, port: 0 });
 * console.log(broker.url); // mqtt://127.0.0.1:41234
 * await broker.close();
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IntelliMeshError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import type {
  BrokerListenFailure,
  BrokerWorkerData,
  BrokerWorkerMessage,
} from './broker-worker.ts';
import type { BrokerListener, EmbeddedBrokerOptions } from './embedded-broker.ts';

export class BrokerStartError extends IntelliMeshError {
  constructor(
    message: string,
    options?: { cause?: unknown },
    /** Set when a listener could not be opened: which one, and why. */
    readonly listen?: BrokerListenFailure,
  ) {
    super(message, options);
  }
}

/** What `startEmbeddedBroker` takes, but its persistence: sessions stay in the worker's memory. */
export type BrokerThreadOptions = Pick<
  EmbeddedBrokerOptions,
  | 'credentials'
  | 'site'
  | 'limits'
  | 'hosts'
  | 'port'
  | 'wsPort'
  | 'tls'
  | 'journalPath'
  | 'logger'
  | 'onDropped'
>;

export interface BrokerThread {
  /** The first plain mqtt:// listener, as a client on this machine reaches it. */
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly listeners: readonly BrokerListener[];
  /**
   * Settles when the thread has ended for any reason other than `close()`: an uncaught error in
   * the broker, or `terminate()`. Never rejects.
   */
  readonly died: Promise<{ reason: string }>;
  close(): Promise<void>;
  /** Ends the thread at once, as a crash would (no clean close); for fault injection. */
  terminate(): Promise<void>;
}

/**
 * Run from the sources, the worker is TypeScript: a tiny bootstrap registers tsx in the new
 * thread (loader hooks are per thread), then imports it. Run from the compiled build (`npm run
 * build`), this file is JavaScript and so is its sibling worker. Paths are resolved from here, so
 * any working directory works.
 */
function bootstrap(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./broker-worker.js', import.meta.url);
  // `require.resolve` would give the CommonJS build; the ESM API is the one that works here.
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./broker-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

export async function startBrokerThread(options: BrokerThreadOptions): Promise<BrokerThread> {
  const log = options.logger ?? silentLogger;
  const workerData: BrokerWorkerData = {
    users: options.credentials.toUsers(),
    site: options.site,
    limits: options.limits,
    hosts: options.hosts,
    port: options.port,
    wsPort: options.wsPort,
    tls: options.tls,
    journalPath: options.journalPath,
  };
  const worker = new Worker(bootstrap(), { workerData });
  let closed: (() => void) | undefined;
  type Ready = Pick<BrokerThread, 'url' | 'wsUrl' | 'listeners'>;
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.on('message', (m: BrokerWorkerMessage) => {
      switch (m.type) {
        case 'ready':
          resolve({ url: m.url, wsUrl: m.wsUrl, listeners: m.listeners });
          break;
        case 'failed':
          reject(
            new BrokerStartError(
              `embedded broker thread could not start: ${m.message}`,
              undefined,
              m.listen,
            ),
          );
          break;
        case 'log':
          if (m.msg === undefined) log[m.level](m.obj);
          else log[m.level](m.obj, m.msg);
          break;
        case 'dropped':
          options.onDropped?.(m.count);
          break;
        case 'closed':
          closed?.();
          break;
      }
    });
    worker.once('error', (err) =>
      reject(new BrokerStartError(`embedded broker thread failed: ${err.message}`, { cause: err })),
    );
    worker.once('exit', (code) =>
      reject(new BrokerStartError(`embedded broker thread exited with code ${code}`)),
    );
  });
  let alive = true;
  let lastError: Error | undefined;
  worker.on('error', (err) => {
    lastError = err;
    log.error({ err: err.message, stack: err.stack }, 'embedded MQTT broker thread failed');
  });
  let closing: Promise<void> | undefined;
  const died = new Promise<{ reason: string }>((resolve) => {
    worker.on('exit', (code) => {
      alive = false;
      closed?.();
      if (closing) return;
      resolve({
        reason: lastError ? `${lastError.message}` : `thread exited with code ${code}`,
      });
    });
  });
  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    listeners: ready.listeners,
    died,
    terminate: async () => {
      await worker.terminate();
    },
    close: () => {
      closing ??= (async () => {
        // Let the broker close its sockets itself (clients see a clean end), then stop the thread.
        await new Promise<void>((resolve) => {
          if (!alive) return resolve();
          closed = resolve;
          worker.postMessage({ type: 'close' });
        });
        await worker.terminate();
      })();
      return closing;
    },
  };
}
