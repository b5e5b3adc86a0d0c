/**
 * Managing dashboard users, for the admin API and the `intelli-mesh user` CLI alike: add, change
 * a password or a role, remove, and verify a login. Every change is an event on the timeline
 * (`user-added`, `user-password-changed`, `user-role-changed`, `user-removed`, node `controller`), naming who
 * made it. Hashing runs on the thread pool (user-password.ts).
 *
 * A login for an unknown user checks the password against a dummy hash with the same
 * parameters, so "no such user" takes as long as "wrong password" and names cannot be probed by
 * timing.
 *
 * @example
 * const accounts = new UserAccounts(store, clock);
 * await accounts.add('admin', 'ops', 'operator', 'a long password');
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { IntelliMeshError } from '../core/errors.ts';
import type { ControllerStore } from './store/controller-store.ts';
import type { StoredEvent } from './store/event-repo.ts';
import { userEvent, type ControllerEvent } from './timeline/controller-events.ts';
import type { User, UserRole } from './store/user-repo.ts';
import { hashUserPassword, needsRehash, verifyUserPassword } from './user-password.ts';

export class UserAccountError extends IntelliMeshError {
  constructor(
    message: string,
    /** The HTTP status it maps to: 404 no such user, 409 exists, 400 bad input. */
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

/** Usernames: letters, digits and . _ - , 1 to 64 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;

export function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new UserAccountError(
      `username '${username}': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      400,
    );
  }
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw new UserAccountError(
      `password: use ${MIN_PASSWORD_LENGTH} to 1024 characters (got ${password.length})`,
      400,
    );
  }
}

export class UserAccounts {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: ControllerStore,
    private readonly clock: Clock,
  ) {}

  list() {
    return this.store.users.list();
  }

  /** The user for a correct username and password, else undefined; rehashes weak old hashes. */
  async verify(username: string, password: string): Promise<User | undefined> {
    const stored = await this.store.users.passwordHash(username);
    this.dummyHash ??= hashUserPassword(randomBytes(16).toString('hex'));
    const hash = stored ?? (await this.dummyHash);
    let ok: boolean;
    try {
      ok = await verifyUserPassword(password, hash);
    } catch {
      ok = false; // a malformed stored hash admits no one
    }
    if (!ok || stored === undefined) return undefined;
    const user = await this.store.users.get(username);
    if (!user) return undefined; // removed while we were hashing
    if (needsRehash(stored)) {
      // Logged in with an old, weaker hash: store one with today's parameters, keep sessions.
      await this.store.users.setPasswordHash(username, await hashUserPassword(password), true);
    }
    return user;
  }

  async add(actor: string, username: string, role: UserRole, password: string) {
    checkUsername(username);
    checkPassword(password);
    if (await this.store.users.exists(username)) {
      throw new UserAccountError(`user '${username}' already exists`, 409);
    }
    const hash = await hashUserPassword(password);
    if (await this.store.users.exists(username)) {
      throw new UserAccountError(`user '${username}' already exists`, 409);
    }
    await this.store.users.insert(username, role, hash, this.clock.now());
    return this.record(userEvent('added', username, actor, this.clock.now(), null, role));
  }

  /** Sets a new password; every session of the user ends. */
  async setPassword(actor: string, username: string, password: string) {
    checkPassword(password);
    await this.mustExist(username);
    const hash = await hashUserPassword(password);
    if (!(await this.store.users.setPasswordHash(username, hash))) await this.mustExist(username);
    return this.record(userEvent('password-changed', username, actor, this.clock.now()));
  }

  async setRole(actor: string, username: string, role: UserRole) {
    const before = (await this.mustExist(username)).role;
    await this.lastAdminGuard(username, role);
    await this.store.users.setRole(username, role);
    return this.record(userEvent('role-changed', username, actor, this.clock.now(), before, role));
  }

  async remove(actor: string, username: string) {
    const before = (await this.mustExist(username)).role;
    await this.lastAdminGuard(username, undefined);
    await this.store.users.remove(username);
    return this.record(userEvent('removed', username, actor, this.clock.now(), before, null));
  }

  private async mustExist(username: string): Promise<User> {
    const user = await this.store.users.get(username);
    if (!user) throw new UserAccountError(`no user '${username}'`, 404);
    return user;
  }

  /** Nobody may remove or demote the last admin: the site would be unmanageable. */
  private async lastAdminGuard(username: string, newRole: UserRole | undefined): Promise<void> {
    if (newRole === 'admin') return;
    const admins = (await this.store.users.list()).filter((u) => u.role === 'admin');
    if (admins.length === 1 && admins[0]!.username === username) {
      throw new UserAccountError(`'${username}' is the last admin; make another admin first`, 400);
    }
  }

  /** A controller fact on the timeline, announced to live viewers like presence and alerts. */
  private record(event: ControllerEvent): Promise<StoredEvent> {
    return this.store.events.record(event);
  }
}
