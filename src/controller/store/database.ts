/**
 * Opens the controller's SQLite file (or `:memory:`), tuned for a write-heavy ingest (WAL,
 * NORMAL sync), and migrates it to the current schema.
 *
 * @example
 * const db = openDatabase('intelli-mesh.db');
 */
import Database from 'better-sqlite3';
import { IntelliMeshError } from '../../core/errors.ts';
import { MIGRATIONS } from './schema.ts';

export type Db = Database.Database;

export class DatabaseOpenError extends IntelliMeshError {}

export function openDatabase(path: string): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new DatabaseOpenError(`cannot open database ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new DatabaseOpenError(
      `database ${path} has schema version ${version}, newer than this controller (${MIGRATIONS.length})`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
