/**
 * IP addresses in URLs: IPv6 literals go in brackets, and a listener on a wildcard address
 * (0.0.0.0, ::) is reached from the same machine through the loopback. Shared by the brokers'
 * and the controller's listeners and the command line that prints their URLs.
 *
 * @example
 * `mqtt://${urlHost(connectHost('::'))}:1883`; // 'mqtt://[::1]:1883'
 * isWildcard('0.0.0.0'); // true
 */
import { isIP } from 'node:net';

/** 0.0.0.0 or ::, which listen on every address of their family. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** An address as a URL's host: IPv6 in brackets. */
export function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** Where a client on this machine connects to reach a listener: the loopback for a wildcard. */
export function connectHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}
