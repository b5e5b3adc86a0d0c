/**
 * Keeps the login in sessionStorage: it survives a reload of the tab but not closing it, and
 * other tabs log in on their own.
 *
 * @example
 * saveSession(await login('admin', pw));
 * loadSession()?.role; // 'admin'
 */
import type { Session } from './types.ts';

const KEY = 'intelli-mesh.session';

export function loadSession(now = Date.now()): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Session;
    if (typeof s.token !== 'string' || s.expires_at <= now) return null;
    return s;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
