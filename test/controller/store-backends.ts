/**
 * The two stores a store-backed feature is tested on: SQLite in memory and a database on one
 * private PostgreSQL server, started on first use and shared by the file's tests.
 *
 * @example
 * const { backends, stop } = storeBackends();
 * afterAll(stop);
 * describe.each(backends)('… on $name', (backend) => { … await backend.target() … });
 */
import { afterAll, beforeAll } from 'vitest';
import { ControllerStore } from '../../src/controller/store/controller-store.ts';
import {
  postgresUnavailable,
  startPostgres,
  type PostgresServer,
} from '../postgres/postgres-server.ts';

export interface StoreBackend {
  name: string;
  /** Why this store cannot run here, or undefined. */
  skip: string | undefined;
  /** A fresh, empty database for `ControllerStore.open`. */
  target(): Promise<string>;
}

export function storeBackends(): {
  backends: StoreBackend[];
  /** A new database on the shared PostgreSQL server (started if need be). */
  postgresDatabase(): Promise<string>;
  stop(): Promise<void>;
} {
  let server: PostgresServer | undefined;
  const postgresDatabase = async () => {
    server ??= await startPostgres();
    return server.newDatabase();
  };
  return {
    backends: [
      { name: 'SQLite', skip: undefined, target: async () => ':memory:' },
      { name: 'PostgreSQL', skip: postgresUnavailable(), target: postgresDatabase },
    ],
    postgresDatabase,
    stop: async () => {
      await server?.stop();
    },
  };
}

/**
 * A store on `backend`, opened before the enclosing describe's tests and closed after them; call
 * the answer from inside a test.
 */
export function useStore(backend: StoreBackend): () => ControllerStore {
  let store: ControllerStore | undefined;
  beforeAll(async () => {
    store = await ControllerStore.open(await backend.target());
  }, 60_000);
  afterAll(async () => {
    await store?.close();
  });
  return () => store!;
}
