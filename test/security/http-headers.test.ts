/**
 * Issue 12, finding 5: the controller sent no security headers. Every response — API answers,
 * refusals, unknown routes, the dashboard's files — must carry a CSP that forbids inline script
 * and framing, X-Frame-Options DENY, nosniff and a Referrer-Policy; over HTTPS also HSTS.
 * (That the built dashboard runs under this CSP is checked in Chromium:
 * dashboard-browser.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, opensslUnavailableReason, pem } from '../mqtt/tls-pki.ts';
import { startHttpController, type HttpController } from './http-controller.ts';

function expectSecurityHeaders(headers: Headers | Record<string, unknown>, where: string) {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  const csp = get('content-security-policy') ?? '';
  expect(csp, `${where}: CSP`).toContain("default-src 'self'");
  expect(csp, `${where}: CSP`).toMatch(/script-src 'self'(;|$)/);
  expect(csp, `${where}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${where}: CSP`).not.toContain('unsafe-inline');
  expect(get('x-frame-options'), `${where}: X-Frame-Options`).toBe('DENY');
  expect(get('x-content-type-options'), `${where}: nosniff`).toBe('nosniff');
  expect(get('referrer-policy'), `${where}: Referrer-Policy`).toBe('no-referrer');
}

describe('security headers on a real controller', () => {
  let ctl: HttpController;
  let token: string;

  beforeAll(async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'im-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>x</title>');
    ctl = await startHttpController({ webRoot });
    token = await ctl.login('admin', 'admin-pw-1');
  });
  afterAll(() => ctl.close());

  it('are on API answers, refusals, unknown routes, errors and the dashboard', async () => {
    const cases: [string, Response][] = [
      ['GET /api/overview', await ctl.request('/api/overview', { token })],
      ['401', await ctl.request('/api/nodes')],
      ['404 API', await ctl.request('/api/nope', { token })],
      ['400', await ctl.request('/api/login', { method: 'POST', json: { username: '' } })],
      ['dashboard /', await ctl.request('/')],
      ['dashboard route', await ctl.request('/some/client/route')],
    ];
    for (const [where, r] of cases) expectSecurityHeaders(r.headers, where);
    expect(cases.map(([, r]) => r.status)).toEqual([200, 401, 404, 400, 200, 200]);
  });

  it('leave out HSTS over plain HTTP (a browser would pin an HTTP-only site)', async () => {
    const r = await ctl.request('/api/overview', { token });
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });
});

const noOpenssl = opensslUnavailableReason();
describe.skipIf(noOpenssl !== null)(`security headers over HTTPS${noOpenssl ?? ''}`, () => {
  it('add Strict-Transport-Security', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-sec-pki-'));
    const pki = makeTestPki(dir, { ips: ['127.0.0.1'] });
    const ctl = await startHttpController({
      https: { cert: pem(pki.server), key: pem(pki.serverKey) },
    });
    try {
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const req = httpsRequest(`${ctl.url}/api/health`, { ca: pem(pki.ca) }, (res) => {
          res.resume();
          resolve(res.headers);
        });
        req.on('error', reject);
        req.end();
      });
      expectSecurityHeaders(headers, 'HTTPS /api/health');
      expect(headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    } finally {
      await ctl.close();
    }
  });
});
