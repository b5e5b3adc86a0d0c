/**
 * What `--db` names: a SQLite file (a path, or `:memory:`) or a PostgreSQL database (a
 * `postgres://` or `postgresql://` URL). A malformed URL is refused here, before anything opens,
 * with the URL (its password hidden) in the message.
 *
 * @example
 * parseStoreTarget('lab.db'); // { kind: 'sqlite', path: 'lab.db' }
 * parseStoreTarget('postgres://im@db/im'); // { kind: 'postgres', url, display: 'postgres://im@db/im' }
 */
import { IntelliMeshError } from '../../core/errors.ts';

export class StoreTargetError extends IntelliMeshError {}

export type StoreTarget =
  | { kind: 'sqlite'; path: string }
  /** `display`: the URL with its password replaced by `***`, for messages and logs. */
  | { kind: 'postgres'; url: string; display: string };

export interface StoreOptions {
  /** PostgreSQL: most connections the pool opens. @default 10 */
  poolSize?: number;
  /** PostgreSQL: how long a connection attempt may take. @default 10000 */
  connectTimeoutMs?: number;
  /**
   * SQLite: offer transactions' synchronous statements (`SqlSession.sync`), which the ingest
   * writes most rows through. False makes SQLite take PostgreSQL's asynchronous path, to compare
   * the two. @default true
   */
  sqliteSync?: boolean;
}

export const DEFAULT_POOL_SIZE = 10;

export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export function parseStoreTarget(target: string): StoreTarget {
  if (!isPostgresTarget(target)) {
    if (target.trim() === '')
      throw new StoreTargetError('--db is empty: give a file path or a postgres:// URL');
    return { kind: 'sqlite', path: target };
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new StoreTargetError(`--db ${hidePassword(target)} is not a valid PostgreSQL URL`);
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new StoreTargetError(`--db ${hidePassword(target)} names no host`);
  }
  if (url.pathname.length <= 1) {
    throw new StoreTargetError(
      `--db ${hidePassword(target)} names no database (postgres://user@host:5432/database)`,
    );
  }
  return { kind: 'postgres', url: target, display: hidePassword(target) };
}

/** The URL with its password (if any) replaced by `***`. */
export function hidePassword(target: string): string {
  return target.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

export function checkPoolSize(value: string | number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new StoreTargetError(`--db-pool-size ${value} is not a whole number from 1 to 1000`);
  }
  return n;
}
