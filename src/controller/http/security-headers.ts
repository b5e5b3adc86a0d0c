/**
 * Security headers on every HTTP response of the controller (API, dashboard files, errors):
 * a Content-Security-Policy the built dashboard runs under (its own scripts, styles and
 * WebSocket only; no inline script, no framing), nosniff, no Referer beyond the origin, and
 * HSTS when served over HTTPS. A dozen headers do not warrant @fastify/helmet.
 *
 * @example
 * registerSecurityHeaders(app, { https: true });
 */
import type { FastifyInstance } from 'fastify';

/**
 * `connect-src 'self'` covers the same-origin ws:/wss: feed in current browsers (CSP level 3).
 * `img-src data:` is for the small icons the styles may inline.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const headers = securityHeaders(options.https);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(headers);
    return payload;
  });
}
