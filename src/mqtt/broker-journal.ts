/**
 * The embedded broker's journal of QoS 1 messages from nodes that the controller has not yet
 * acknowledged: a small SQLite file of its own, next to the controller's database. A message is
 * written here before the node receives its PUBACK and removed once the controller's ingest
 * session has acknowledged it (which it does only after its own commit), so a message a node saw
 * acknowledged is in one of the two files whenever the process dies.
 *
 * WAL with `synchronous = NORMAL`, as the controller's database: a commit is in the operating
 * system's hands when it returns, which is what survives a killed or crashed process; a power cut
 * may lose the last commits of both files alike (`FULL` would fsync every commit, several times
 * the cost per batch, for a guarantee the controller's own store does not give either).
 *
 * @example
 * const journal = BrokerJournal.open('lab.db-mqtt-journal');
 * const [id] = journal.append([{ topic: 'intelli-mesh/lab/node/n1/events', payload }]);
 * journal.remove([id]);
 */
import Database from 'better-sqlite3';
import { IntelliMeshError } from '../core/errors.ts';

export class BrokerJournalError extends IntelliMeshError {}

export interface JournalMessage {
  topic: string;
  payload: Buffer;
}

export interface JournalEntry extends JournalMessage {
  id: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL
)`;

export class BrokerJournal {
  private readonly insert: Database.Statement<[string, Buffer]>;
  private readonly del: Database.Statement<[number]>;
  private readonly appendAll: (messages: readonly JournalMessage[]) => number[];
  private readonly removeAll: (ids: readonly number[]) => void;

  private constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO inbox (topic, payload) VALUES (?, ?)');
    this.del = db.prepare('DELETE FROM inbox WHERE id = ?');
    this.appendAll = db.transaction((messages: readonly JournalMessage[]) =>
      messages.map((m) => Number(this.insert.run(m.topic, m.payload).lastInsertRowid)),
    );
    this.removeAll = db.transaction((ids: readonly number[]) => {
      for (const id of ids) this.del.run(id);
    });
  }

  static open(path: string): BrokerJournal {
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
    } catch (err) {
      throw new BrokerJournalError(
        `cannot open the broker journal ${path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return new BrokerJournal(db);
  }

  /** Writes the messages in one transaction; durable when it returns. Their ids, in order. */
  append(messages: readonly JournalMessage[]): number[] {
    return messages.length === 0 ? [] : this.appendAll(messages);
  }

  remove(ids: readonly number[]): void {
    if (ids.length > 0) this.removeAll(ids);
  }

  /** Every message still unacknowledged, oldest first. */
  pending(): JournalEntry[] {
    return this.db
      .prepare('SELECT id, topic, payload FROM inbox ORDER BY id')
      .all() as JournalEntry[];
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
