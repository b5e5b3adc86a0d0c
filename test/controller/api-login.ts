/**
 * Logging in to a running controller's HTTP API, as a dashboard or script does.
 *
 * @example
 * const token = await loginToken(ctl.url, 'admin', 'admin-pw');
 * expect((await postLogin(ctl.url, 'admin', 'guess')).status).toBe(401);
 */
import { expect } from 'vitest';

/** `POST /api/login`; the raw answer, for tests of refusals. */
export function postLogin(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** The bearer token of a login that must succeed (200). */
export async function loginToken(url: string, username: string, password: string): Promise<string> {
  const res = await postLogin(url, username, password);
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}
