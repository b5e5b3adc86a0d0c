/**
 * Which reverse proxies the controller believes about the client's address (`--trust-proxy`).
 * Behind a proxy every request comes from the proxy's address, so the login throttle would
 * budget all users together and the logs would name the proxy; a trusted proxy's
 * `X-Forwarded-For` gives the client's. Only connections from the listed addresses are believed:
 * anyone else could write the header themselves and get a fresh throttle budget per request. With
 * no list the header is ignored (Fastify's `trustProxy: false`).
 *
 * @example
 * trustProxyOption(['127.0.0.1', '10.0.0.0/8']); // Fastify's trustProxy: ['127.0.0.1', '10.0.0.0/8']
 * trustProxyOption(undefined); // false
 * trustProxyProblem('proxy.lan'); // "'proxy.lan' is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal"
 */
import { isIP } from 'node:net';

/** The names Fastify (proxy-addr) knows for ranges of addresses. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** What is wrong with one `--trust-proxy` entry, or undefined when Fastify takes it. */
export function trustProxyProblem(entry: string): string | undefined {
  if (NAMED_RANGES.includes(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family !== 0 && prefixOk && rest.length === 0) return undefined;
  return `'${entry}' is not an IP address, a CIDR or one of ${NAMED_RANGES.join(', ')}`;
}

/** Fastify's `trustProxy` for the list given (entries checked by `trustProxyProblem`). */
export function trustProxyOption(entries: readonly string[] | undefined): string[] | false {
  return entries && entries.length > 0 ? [...entries] : false;
}
