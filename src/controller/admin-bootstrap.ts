/**
 * Makes sure the dashboard has an admin: the password comes from INTELLI_MESH_PASSWORD when set
 * (and is updated to it on every start where it differs, which ends the old sessions), otherwise one is generated on the very first start and
 * returned so the caller prints it once; it is never stored in clear.
 *
 * @example
 * const { generatedPassword } = ensureAdmin(store.users, process.env.INTELLI_MESH_PASSWORD, Date.now());
 */
import { randomBytes } from 'node:crypto';
import type { UserRepo } from './store/user-repo.ts';

export const ADMIN_USERNAME = 'admin';

export interface AdminBootstrap {
  username: string;
  /** Set only when this start generated the password. */
  generatedPassword?: string;
  /** Where the password came from, for the startup banner. */
  source: 'environment' | 'generated' | 'database';
}

export async function ensureAdmin(
  users: UserRepo,
  envPassword: string | undefined,
  now: number,
): Promise<AdminBootstrap> {
  const exists = await users.exists(ADMIN_USERNAME);
  if (envPassword !== undefined && envPassword !== '') {
    // A new password ends the sessions opened with the old one; the same one keeps them.
    if (!exists) await users.create(ADMIN_USERNAME, 'admin', envPassword, now);
    else if (!(await users.verify(ADMIN_USERNAME, envPassword))) {
      await users.setPassword(ADMIN_USERNAME, envPassword);
    }
    return { username: ADMIN_USERNAME, source: 'environment' };
  }
  if (exists) return { username: ADMIN_USERNAME, source: 'database' };
  const generatedPassword = randomBytes(12).toString('base64url');
  await users.create(ADMIN_USERNAME, 'admin', generatedPassword, now);
  return { username: ADMIN_USERNAME, generatedPassword, source: 'generated' };
}
