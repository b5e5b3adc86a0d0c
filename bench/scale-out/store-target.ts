/**
 * The database a scale run's controllers use (`--db`), and its size on disk while they run:
 *
 * - a path (or nothing): SQLite, one fresh file per run (`<stem>-<nodes>.db`); its size is the
 *   pages in use (its write-ahead log included);
 * - `postgres`: a private PostgreSQL 15 started for the bench (test/postgres/postgres-server.ts,
 *   the store's test harness), one fresh database per run;
 * - `postgres://…` or `postgresql://…`: an existing server; a fresh database is created on it
 *   per run (the login needs CREATEDB) and dropped afterwards.
 *
 * SQLite's size is the pages in use; PostgreSQL's `pg_database_size`. Whether the controller can use PostgreSQL at all is
 * checked first, so a checkout without it fails with a sentence, not a database named
 * `postgres:` on disk.
 *
 * @example
 * const target = parseDbOption(flags.db);
 * await assertControllerSupports(target, 1);
 * const db = await openRunDatabase(target, 1000, workDir);
 * spawnController(['--db', db.arg]); await db.sizeBytes();
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { IntelliMeshError } from '../../src/core/errors.ts';

/** The bench cannot run as asked in this checkout (a feature not merged yet, a bad option). */
export class ScaleOptionError extends IntelliMeshError {}

export type StoreTarget =
  | { kind: 'sqlite'; path?: string }
  | { kind: 'postgres-private' }
  | { kind: 'postgres'; url: string };

export interface RunDatabase {
  /** What the controllers get as `--db`. */
  arg: string;
  label: string;
  sizeBytes(): Promise<number>;
  /**
   * The node events stored, and how many distinct ones among them: a message stored twice (a
   * redelivery that escaped deduplication) makes the first larger than the second.
   */
  nodeEvents(): Promise<{ stored: number; distinct: number }>;
  close(): Promise<void>;
}

const NODE_EVENTS = `SELECT COUNT(*) AS stored, COUNT(DISTINCT node || '|' || at || '|' || reason) AS distinct_
  FROM events WHERE source = 'node'`;

function sqliteNodeEvents(path: string): { stored: number; distinct: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare(NODE_EVENTS).get() as { stored: number; distinct_: number };
    return { stored: r.stored, distinct: r.distinct_ };
  } finally {
    db.close();
  }
}

async function postgresNodeEvents(url: string): Promise<{ stored: number; distinct: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ stored: string; distinct_: string }>(NODE_EVENTS);
    return { stored: Number(r.rows[0]!.stored), distinct: Number(r.rows[0]!.distinct_) };
  } finally {
    await client.end();
  }
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin/intelli-mesh');
const POSTGRES_HARNESS = join(REPO, 'test/postgres/postgres-server.ts');
const CLUSTER_DIR = join(REPO, 'src/controller/cluster');

export function parseDbOption(value: string | undefined): StoreTarget {
  if (value === undefined || value === '') return { kind: 'sqlite' };
  if (value === 'postgres') return { kind: 'postgres-private' };
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
    } catch {
      throw new ScaleOptionError(`--db ${value}: not a valid PostgreSQL URL`);
    }
    return { kind: 'postgres', url: value };
  }
  if (value.includes('://')) {
    throw new ScaleOptionError(
      `--db ${value}: expected a SQLite path, 'postgres' (a private server) or a postgres:// URL`,
    );
  }
  return { kind: 'sqlite', path: value };
}

/** Whether `intelli-mesh controller --db` takes a PostgreSQL URL in this checkout. */
function controllerTakesPostgres(): boolean {
  const help = spawnSync(BIN, ['controller', '--help'], { encoding: 'utf8' });
  return /postgres/i.test(`${help.stdout}`);
}

/** Fails with what is missing and where it comes from, before anything is started. */
export function assertControllerSupports(target: StoreTarget, controllers: number): void {
  if (controllers !== 1 && controllers !== 2) {
    throw new ScaleOptionError(`--controllers ${controllers}: expected 1 or 2`);
  }
  if (target.kind !== 'sqlite' && !controllerTakesPostgres()) {
    throw new ScaleOptionError(
      "--db: this checkout's controller does not take a PostgreSQL URL yet (`intelli-mesh controller --help` names no postgres); it comes with the PostgreSQL store (branch h15-store)",
    );
  }
  if (target.kind === 'postgres-private' && !existsSync(POSTGRES_HARNESS)) {
    throw new ScaleOptionError(
      `--db postgres: the private PostgreSQL harness ${POSTGRES_HARNESS} is not in this checkout (branch h15-store); give a postgres:// URL of a running server instead`,
    );
  }
  if (controllers === 2) {
    if (target.kind === 'sqlite') {
      throw new ScaleOptionError(
        '--controllers 2 needs a PostgreSQL store (--db postgres or --db postgres://…): two processes cannot share a SQLite file',
      );
    }
    if (!existsSync(CLUSTER_DIR)) {
      throw new ScaleOptionError(
        `--controllers 2: this checkout has no multi-controller mode (${CLUSTER_DIR}, branch h15-cluster)`,
      );
    }
  }
}

/**
 * The pages in use as the last commit left them (write-ahead log included): the file itself lags
 * behind until a checkpoint, and a checkpointed WAL file keeps its size while empty.
 */
function sqliteSize(path: string): number {
  if (!existsSync(path)) return 0;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}

async function postgresSize(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ size: string }>(
      'SELECT pg_database_size(current_database()) AS size',
    );
    return Number(r.rows[0]!.size);
  } finally {
    await client.end();
  }
}

/** A fresh database on a server whose URL is `serverUrl`; returns its URL. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

interface PostgresHarness {
  startPostgres(): Promise<{
    url: string;
    newDatabase(name?: string): Promise<string>;
    stop(): Promise<void>;
  }>;
}

export async function openRunDatabase(
  target: StoreTarget,
  nodes: number,
  workDir: string,
): Promise<RunDatabase> {
  switch (target.kind) {
    case 'sqlite': {
      const path = target.path
        ? target.path.replace(/(\.[^./]+)?$/, (ext) => `-${nodes}${ext || '.db'}`)
        : join(workDir, `scale-${nodes}.db`);
      if (existsSync(path)) {
        throw new ScaleOptionError(
          `--db: ${path} exists; the bench measures growth from an empty database: remove it or give another path`,
        );
      }
      return {
        arg: path,
        label: 'sqlite',
        sizeBytes: async () => sqliteSize(path),
        nodeEvents: async () => sqliteNodeEvents(path),
        close: async () => {},
      };
    }
    case 'postgres-private': {
      // Loaded by path: the harness arrives with the PostgreSQL store (checked above).
      const harness = (await import(POSTGRES_HARNESS)) as PostgresHarness;
      const server = await harness.startPostgres();
      const url = await server.newDatabase(`scale_${nodes}`);
      return {
        arg: url,
        label: 'postgres (private server)',
        sizeBytes: () => postgresSize(url),
        nodeEvents: () => postgresNodeEvents(url),
        close: () => server.stop(),
      };
    }
    case 'postgres': {
      const name = `intelli_mesh_scale_${nodes}_${Date.now()}`;
      const url = await createDatabase(target.url, name);
      return {
        arg: url,
        label: 'postgres',
        sizeBytes: () => postgresSize(url),
        nodeEvents: () => postgresNodeEvents(url),
        close: () => dropDatabase(target.url, name),
      };
    }
  }
}
