/**
 * Cross-site WebSocket hijacking guard: a browser sends the page's Origin with the WebSocket
 * handshake (and the ticket alone would not stop a page that obtained one), so `/api/live`
 * accepts only its own origin or one the operator allowed (`allowedOrigins`, e.g. a reverse
 * proxy's public name). Clients that are not browsers send no Origin and are not affected.
 *
 * @example
 * originAllowed('https://evil.example', 'ctl.lan:8080', 'http', []); // false
 */

export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  scheme: 'http' | 'https',
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && url.protocol === `${scheme}:` && url.host === host.toLowerCase()) {
    return true;
  }
  return allowedOrigins.some((a) => a.replace(/\/+$/, '').toLowerCase() === url.origin);
}
