/**
 * The embedded broker of `intelli-mesh controller`, in one of its two layouts: on a supervised
 * worker thread of its own (the default: the broker's per-message work would otherwise halve
 * ingest), or in the controller's event loop (`--mqtt-in-process`). Either way it keeps the
 * nodes' QoS 1 messages in a journal next to the database until the controller has stored them.
 *
 * @example
 * const broker = await startControllerBroker({ credentials, port: 1883, journalPath: brokerJournalPath('lab.db'), inProcess: false });
 * broker.health(); // { ok: true, layout: 'thread', restarts: 0 }
 */
import { RealScheduler } from '../core/real-scheduler.ts';
import { isPostgresTarget } from '../controller/store/store-target.ts';
import type { BrokerThreadOptions } from '../mqtt/broker-thread.ts';
import { superviseBrokerThread, type SupervisedBroker } from '../mqtt/broker-supervisor.ts';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.ts';

/** The journal's file when the store is PostgreSQL (no file to sit next to): the working directory. */
export const POSTGRES_BROKER_JOURNAL = 'intelli-mesh.broker-journal';

/**
 * Where the broker journal of a database lives: next to a SQLite file, in the working directory
 * for a PostgreSQL URL (`--broker-journal` names another place); none for an in-memory database.
 */
export function brokerJournalPath(dbPath: string): string | undefined {
  if (isPostgresTarget(dbPath)) return POSTGRES_BROKER_JOURNAL;
  return dbPath === ':memory:' || dbPath === '' ? undefined : `${dbPath}.broker-journal`;
}

export async function startControllerBroker(
  options: BrokerThreadOptions & { inProcess: boolean },
): Promise<Omit<SupervisedBroker, 'current'>> {
  if (!options.inProcess)
    return superviseBrokerThread({ ...options, scheduler: new RealScheduler() });
  const broker = await startEmbeddedBroker(options);
  // In the process's own event loop: if the broker fails, the process does.
  return {
    url: broker.url,
    wsUrl: broker.wsUrl,
    listeners: broker.listeners,
    health: () => ({
      ok: true,
      layout: 'in-process',
      restarts: 0,
      droppedMessages: broker.outbound.dropped,
    }),
    close: () => broker.close(),
  };
}
