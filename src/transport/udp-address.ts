/**
 * UDP link peers as strings: "192.0.2.7:4000" and "[2001:db8::7]:4000". Hosts must be IP
 * literals, so the `from` a datagram reports compares equal to the peer a user configured;
 * IPv6 hosts are put in canonical form ("[0:0::1]" becomes "[::1]") for the same reason.
 *
 * @example
 * parseUdpAddress('[::1]:4000', 'peer'); // { host: '::1', port: 4000, family: 6 }
 * formatUdpAddress('::1', 4000); // '[::1]:4000'
 */
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidAddressError } from './errors.ts';

export interface UdpAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

const HOST_PORT = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/;

/** The canonical text of an IP literal, or undefined when `host` is not one. */
export function canonicalHost(host: string): { host: string; family: 4 | 6 } | undefined {
  if (isIPv4(host)) return { host, family: 4 };
  if (!isIPv6(host) || host.includes('%')) return undefined;
  // WHATWG URL serialisation is the canonical RFC 5952 form.
  return { host: new URL(`udp://[${host}]`).hostname.slice(1, -1), family: 6 };
}

/** Parses HOST:PORT; `what` names the value in the error ("bind address", "peer"...). */
export function parseUdpAddress(text: string, what: string): UdpAddress {
  const m = HOST_PORT.exec(text.trim());
  if (!m) {
    throw new InvalidAddressError(text, what, 'expected HOST:PORT, IPv6 in brackets: [::1]:4000');
  }
  const rawHost = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw new InvalidAddressError(text, what, `port ${port} is above 65535`);
  if (m[2] !== undefined && isIPv6(rawHost)) {
    throw new InvalidAddressError(text, what, 'an IPv6 host must be in brackets: [::1]:4000');
  }
  const canonical = canonicalHost(rawHost);
  if (!canonical) {
    throw new InvalidAddressError(text, what, `'${rawHost}' is not an IPv4 or IPv6 literal`);
  }
  return { ...canonical, port };
}

export function formatUdpAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
