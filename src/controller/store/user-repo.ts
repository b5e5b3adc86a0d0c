/**
 * Dashboard users and their login sessions. Passwords are kept as scrypt hashes; session tokens
 * only as SHA-256 hashes, so a copy of the database file grants no one a login. Changing a
 * password ends every session of that user.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { verifyPassword } from '../../mqtt/password-hash.ts';
import { USER_SCRYPT } from '../user-password.ts';
import type { SqlSession } from './sql-session.ts';

/** viewer: reads; operator: also faults, acknowledgements, pushes, upgrades; admin: also users. */
export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export interface User {
  username: string;
  role: UserRole;
  /** Which login session this request came with (the token's hash), when it came with one. */
  session?: string;
}

export interface UserListing {
  username: string;
  role: UserRole;
  created_at: number;
}

/** What a session is stored and announced by: the hash of its bearer token. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A synchronous hash for start-up and the CLI; the HTTP routes use user-password.ts. */
function hashNow(password: string): string {
  const salt = randomBytes(16);
  const { N, r, p } = USER_SCRYPT;
  const hash = scryptSync(password, salt, 32, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

type UserRow = { username: string; role: UserRole; password_hash: string };

export class UserRepo {
  constructor(private readonly sql: SqlSession) {}

  async count(): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM users'))!.n;
  }

  async exists(username: string): Promise<boolean> {
    return (await this.row(username)) !== undefined;
  }

  list(): Promise<UserListing[]> {
    return this.sql.all<UserListing>(
      'SELECT username, role, created_at FROM users ORDER BY username',
    );
  }

  private row(username: string): Promise<UserRow | undefined> {
    return this.sql.get<UserRow>(
      'SELECT username, role, password_hash FROM users WHERE username = ?',
      [username],
    );
  }

  async get(username: string): Promise<User | undefined> {
    const row = await this.row(username);
    return row && { username: row.username, role: row.role };
  }

  /** The stored hash, for an asynchronous check (user-password.ts). */
  async passwordHash(username: string): Promise<string | undefined> {
    return (await this.row(username))?.password_hash;
  }

  /** Hashes synchronously: for start-up, the CLI and tests. */
  create(username: string, role: UserRole, password: string, now: number): Promise<void> {
    return this.insert(username, role, hashNow(password), now);
  }

  async insert(username: string, role: UserRole, passwordHash: string, now: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)',
      [username, role, passwordHash, now],
    );
  }

  /** Hashes synchronously; ends every session of the user. */
  async setPassword(username: string, password: string): Promise<void> {
    await this.setPasswordHash(username, hashNow(password));
  }

  /** Stores a new hash and ends every session of the user; false if there is no such user. */
  setPasswordHash(username: string, passwordHash: string, keepSessions = false): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const changed =
        (await tx.run('UPDATE users SET password_hash = ? WHERE username = ?', [
          passwordHash,
          username,
        ])) > 0;
      if (changed && !keepSessions) await endSessions(tx, username);
      return changed;
    });
  }

  /**
   * Sets the role and ends every session of the user: a token is a grant of the role it was
   * issued under, so a demoted user must not keep acting (or watching) with the old one until its
   * next request is checked. False if there is no such user.
   */
  setRole(username: string, role: UserRole): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const changed =
        (await tx.run('UPDATE users SET role = ? WHERE username = ?', [role, username])) > 0;
      if (changed) await endSessions(tx, username);
      return changed;
    });
  }

  /** Deletes the user and (by cascade) its sessions. */
  async remove(username: string): Promise<boolean> {
    return (await this.sql.run('DELETE FROM users WHERE username = ?', [username])) > 0;
  }

  /** The user for a correct username and password, else undefined (synchronous hash: start-up only). */
  async verify(username: string, password: string): Promise<User | undefined> {
    const row = await this.row(username);
    if (!row || !verifyPassword(password, row.password_hash)) return undefined;
    return { username: row.username, role: row.role };
  }

  /** Opens a session; returns the bearer token, which is stored only as a hash. */
  async openSession(username: string, now: number, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.sql.run('DELETE FROM sessions WHERE expires_at <= ?', [now]);
    await this.sql.run('INSERT INTO sessions (token_hash, username, expires_at) VALUES (?, ?, ?)', [
      sessionIdOf(token),
      username,
      now + ttlMs,
    ]);
    return token;
  }

  session(token: string, now: number): Promise<User | undefined> {
    return this.sessionById(sessionIdOf(token), now);
  }

  async sessionById(session: string, now: number): Promise<User | undefined> {
    const row = await this.sql.get<{ username: string; role: UserRole }>(
      `SELECT u.username, u.role FROM sessions s JOIN users u ON u.username = s.username
      WHERE s.token_hash = ? AND s.expires_at > ?`,
      [session, now],
    );
    return row && { username: row.username, role: row.role, session };
  }

  async closeSession(token: string): Promise<void> {
    await this.sql.run('DELETE FROM sessions WHERE token_hash = ?', [sessionIdOf(token)]);
  }

  /** Ends every session of `username`. */
  async closeSessionsOf(username: string): Promise<void> {
    await endSessions(this.sql, username);
  }
}

async function endSessions(sql: SqlSession, username: string): Promise<void> {
  await sql.run('DELETE FROM sessions WHERE username = ?', [username]);
}
