/**
 * Dashboard users and their login sessions. Passwords are kept as scrypt hashes; session tokens
 * only as SHA-256 hashes, so a copy of the database file grants no one a login. Changing a
 * password ends every session of that user.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { verifyPassword } from '../../mqtt/password-hash.ts';
import { USER_SCRYPT } from '../user-password.ts';
import type { Db } from './database.ts';

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

export class UserRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly countStmt;
  private readonly setPasswordStmt;
  private readonly setRoleStmt;
  private readonly deleteStmt;
  private readonly insertSessionStmt;
  private readonly sessionStmt;
  private readonly deleteSessionStmt;
  private readonly deleteUserSessionsStmt;
  private readonly pruneSessionsStmt;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    this.insertStmt = db.prepare(
      'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<
      [string],
      { username: string; role: UserRole; password_hash: string }
    >('SELECT username, role, password_hash FROM users WHERE username = ?');
    this.listStmt = db.prepare<[], UserListing>(
      'SELECT username, role, created_at FROM users ORDER BY username',
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
    this.setPasswordStmt = db.prepare('UPDATE users SET password_hash = ? WHERE username = ?');
    this.setRoleStmt = db.prepare('UPDATE users SET role = ? WHERE username = ?');
    this.deleteStmt = db.prepare('DELETE FROM users WHERE username = ?');
    this.insertSessionStmt = db.prepare(
      'INSERT INTO sessions (token_hash, username, expires_at) VALUES (?, ?, ?)',
    );
    this.sessionStmt = db.prepare<[string, number], { username: string; role: UserRole }>(`
      SELECT u.username, u.role FROM sessions s JOIN users u ON u.username = s.username
      WHERE s.token_hash = ? AND s.expires_at > ?`);
    this.deleteSessionStmt = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.deleteUserSessionsStmt = db.prepare('DELETE FROM sessions WHERE username = ?');
    this.pruneSessionsStmt = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  exists(username: string): boolean {
    return this.getStmt.get(username) !== undefined;
  }

  list(): UserListing[] {
    return this.listStmt.all();
  }

  get(username: string): User | undefined {
    const row = this.getStmt.get(username);
    return row && { username: row.username, role: row.role };
  }

  /** The stored hash, for an asynchronous check (user-password.ts). */
  passwordHash(username: string): string | undefined {
    return this.getStmt.get(username)?.password_hash;
  }

  /** Hashes synchronously: for start-up, the CLI and tests. */
  create(username: string, role: UserRole, password: string, now: number): void {
    this.insert(username, role, hashNow(password), now);
  }

  insert(username: string, role: UserRole, passwordHash: string, now: number): void {
    this.insertStmt.run(username, role, passwordHash, now);
  }

  /** Hashes synchronously; ends every session of the user. */
  setPassword(username: string, password: string): void {
    this.setPasswordHash(username, hashNow(password));
  }

  /** Stores a new hash and ends every session of the user; false if there is no such user. */
  setPasswordHash(username: string, passwordHash: string, keepSessions = false): boolean {
    return this.db.transaction(() => {
      const changed = this.setPasswordStmt.run(passwordHash, username).changes > 0;
      if (changed && !keepSessions) this.deleteUserSessionsStmt.run(username);
      return changed;
    })();
  }

  /**
   * Sets the role and ends every session of the user: a token is a grant of the role it was
   * issued under, so a demoted user must not keep acting (or watching) with the old one until its
   * next request is checked. False if there is no such user.
   */
  setRole(username: string, role: UserRole): boolean {
    return this.db.transaction(() => {
      const changed = this.setRoleStmt.run(role, username).changes > 0;
      if (changed) this.deleteUserSessionsStmt.run(username);
      return changed;
    })();
  }

  /** Deletes the user and (by cascade) its sessions. */
  remove(username: string): boolean {
    return this.deleteStmt.run(username).changes > 0;
  }

  /** The user for a correct username and password, else undefined (synchronous: start-up only). */
  verify(username: string, password: string): User | undefined {
    const row = this.getStmt.get(username);
    if (!row || !verifyPassword(password, row.password_hash)) return undefined;
    return { username: row.username, role: row.role };
  }

  /** Opens a session; returns the bearer token, which is stored only as a hash. */
  openSession(username: string, now: number, ttlMs: number): string {
    const token = randomBytes(32).toString('base64url');
    this.pruneSessionsStmt.run(now);
    this.insertSessionStmt.run(sessionIdOf(token), username, now + ttlMs);
    return token;
  }

  session(token: string, now: number): User | undefined {
    return this.sessionById(sessionIdOf(token), now);
  }

  sessionById(session: string, now: number): User | undefined {
    const row = this.sessionStmt.get(session, now);
    return row && { username: row.username, role: row.role, session };
  }

  closeSession(token: string): void {
    this.deleteSessionStmt.run(sessionIdOf(token));
  }

  /** Ends every session of `username`. */
  closeSessionsOf(username: string): void {
    this.deleteUserSessionsStmt.run(username);
  }
}
