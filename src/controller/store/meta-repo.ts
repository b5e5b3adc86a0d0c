/** Small controller facts that must survive restarts (when metrics were last compacted, ...). */
import type { SqlSession } from './sql-session.ts';

export class MetaRepo {
  constructor(private readonly sql: SqlSession) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))
      ?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.run(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }
}
