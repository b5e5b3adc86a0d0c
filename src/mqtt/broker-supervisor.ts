/**
 * Keeps the embedded broker's worker thread running: when it dies (an uncaught error in the
 * broker), the death is logged as an error, health says so, and a new thread is started on the
 * same ports after a backoff that doubles while restarts keep failing or the new thread keeps
 * dying young. Sessions the dead thread held in memory are gone; nodes and the controller
 * reconnect on their own, and what nodes had published at QoS 1 is in the broker journal (see
 * `durable-inbox.ts`) when one is configured.
 *
 * @example
 * const broker = await superviseBrokerThread({ credentials, port: 1883, scheduler, logger });
 * broker.health(); // { ok: true, layout: 'thread', restarts: 0 }
 * await broker.close();
 */
import { silentLogger } from '../core/logger.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import { startBrokerThread, type BrokerThread, type BrokerThreadOptions } from './broker-thread.ts';
import type { BrokerListener } from './embedded-broker.ts';

export interface BrokerHealth {
  ok: boolean;
  layout: 'thread' | 'in-process' | 'external';
  /** Threads started after the first one. */
  restarts: number;
  /** Why the last thread died, when one did. */
  lastDeath?: string;
  /** Since when the broker is down (epoch ms), while it is. */
  downSince?: number;
  /** Messages dropped for clients too slow to take them (outbound-limits.ts), since start. */
  droppedMessages?: number;
}

export interface SupervisedBroker {
  readonly url: string;
  readonly wsUrl: string | undefined;
  readonly listeners: readonly BrokerListener[];
  health(): BrokerHealth;
  /** The thread now running, if any (for fault injection in tests). */
  current(): BrokerThread | undefined;
  close(): Promise<void>;
}

export interface SupervisorOptions extends BrokerThreadOptions {
  scheduler: Scheduler;
  /** First delay before a restart. @default 500 */
  restartMinMs?: number;
  /** Longest delay; also how long a thread must live for the delay to start over. @default 30000 */
  restartMaxMs?: number;
  /** How a thread is started; the real worker thread unless a test says otherwise. */
  start?: (options: BrokerThreadOptions) => Promise<BrokerThread>;
}

/** The options of the first thread with its chosen ports, so a restart listens where it did. */
function samePorts(options: BrokerThreadOptions, listeners: readonly BrokerListener[]) {
  const port = (p: BrokerListener['protocol']) => listeners.find((l) => l.protocol === p)?.port;
  return {
    ...options,
    port: port('mqtt') ?? options.port,
    wsPort: port('ws') ?? options.wsPort,
    tls: options.tls && {
      ...options.tls,
      port: port('mqtts') ?? options.tls.port,
      wsPort: port('wss') ?? options.tls.wsPort,
    },
  };
}

export async function superviseBrokerThread(options: SupervisorOptions): Promise<SupervisedBroker> {
  const log = options.logger ?? silentLogger;
  const { scheduler } = options;
  const start = options.start ?? startBrokerThread;
  const minMs = options.restartMinMs ?? 500;
  const maxMs = options.restartMaxMs ?? 30_000;
  const health: BrokerHealth = { ok: true, layout: 'thread', restarts: 0, droppedMessages: 0 };
  const counted: BrokerThreadOptions = {
    ...options,
    onDropped: (count) => {
      health.droppedMessages = (health.droppedMessages ?? 0) + count;
      options.onDropped?.(count);
    },
  };
  const first = await start(counted);
  const again = samePorts(counted, first.listeners);
  let thread: BrokerThread | undefined = first;
  let startedAt = scheduler.now();
  let delay = minMs;
  let timer: TimerHandle | undefined;
  let closed = false;

  const restart = async () => {
    timer = undefined;
    if (closed) return;
    try {
      const t = await start(again);
      if (closed) return void (await t.close());
      thread = t;
      startedAt = scheduler.now();
      health.ok = true;
      delete health.downSince;
      health.restarts++;
      log.error({ restarts: health.restarts }, 'embedded MQTT broker thread restarted');
      watch(t);
    } catch (err) {
      log.error(
        { err: (err as Error).message, retryInMs: delay },
        'embedded MQTT broker thread could not be restarted',
      );
      schedule();
    }
  };
  const schedule = () => {
    timer = scheduler.after(delay, () => void restart());
    delay = Math.min(delay * 2, maxMs);
  };
  const watch = (t: BrokerThread) => {
    void t.died.then(({ reason }) => {
      if (closed || thread !== t) return;
      thread = undefined;
      health.ok = false;
      health.lastDeath = reason;
      health.downSince = scheduler.now();
      // A thread that ran for a good while earns a quick restart; one that dies young, a slower one.
      if (scheduler.now() - startedAt >= maxMs) delay = minMs;
      log.error(
        { reason, restartInMs: delay },
        'embedded MQTT broker thread died; clients are disconnected until it is restarted',
      );
      schedule();
    });
  };
  watch(first);

  return {
    url: first.url,
    wsUrl: first.wsUrl,
    listeners: first.listeners,
    health: () => ({ ...health }),
    current: () => thread,
    close: async () => {
      closed = true;
      timer?.cancel();
      await thread?.close();
    },
  };
}
