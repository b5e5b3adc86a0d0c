/**
 * Dashboard users and their login sessions. Passwords are kept as scrypt hashes; session tokens
 * only as SHA-256 hashes, so a copy of the database file grants no one a login.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '../../mqtt/password-hash.ts';
import type { Db } from './database.ts';

export type UserRole = 'admin' | 'viewer';

export interface User {
  username: string;
  role: UserRole;
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class UserRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly countStmt;
  private readonly setPasswordStmt;
  private readonly insertSessionStmt;
  private readonly sessionStmt;
  private readonly deleteSessionStmt;
  private readonly pruneSessionsStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.getStmt = db.prepare<
      [string],
      { username: string; role: UserRole; password_hash: string }
    >('SELECT username, role, password_hash FROM users WHERE username = ?');
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users');
    this.setPasswordStmt = db.prepare('UPDATE users SET password_hash = ? WHERE username = ?');
    this.insertSessionStmt = db.prepare(
      'INSERT INTO sessions (token_hash, username, expires_at) VALUES (?, ?, ?)',
    );
    this.sessionStmt = db.prepare<[string, number], { username: string; role: UserRole }>(`
      SELECT u.username, u.role FROM sessions s JOIN users u ON u.username = s.username
      WHERE s.token_hash = ? AND s.expires_at > ?`);
    this.deleteSessionStmt = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.pruneSessionsStmt = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  exists(username: string): boolean {
    return this.getStmt.get(username) !== undefined;
  }

  create(username: string, role: UserRole, password: string, now: number): void {
    this.insertStmt.run(username, role, hashPassword(password), now);
  }

  setPassword(username: string, password: string): void {
    this.setPasswordStmt.run(hashPassword(password), username);
  }

  /** The user for a correct username and password, else undefined. */
  verify(username: string, password: string): User | undefined {
    const row = this.getStmt.get(username);
    if (!row || !verifyPassword(password, row.password_hash)) return undefined;
    return { username: row.username, role: row.role };
  }

  /** Opens a session; returns the bearer token, which is stored only as a hash. */
  openSession(username: string, now: number, ttlMs: number): string {
    const token = randomBytes(32).toString('base64url');
    this.pruneSessionsStmt.run(now);
    this.insertSessionStmt.run(tokenHash(token), username, now + ttlMs);
    return token;
  }

  session(token: string, now: number): User | undefined {
    return this.sessionStmt.get(tokenHash(token), now);
  }

  closeSession(token: string): void {
    this.deleteSessionStmt.run(tokenHash(token));
  }
}
