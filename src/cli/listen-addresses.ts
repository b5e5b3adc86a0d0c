/**
 * Listen addresses given on the command line (`--mqtt-host 0.0.0.0`, `--mqtt-host 10.0.0.1,::1`):
 * IP literals only, since a listener binds an address, not a name that may resolve to several or
 * to none of this machine's. A wildcard (0.0.0.0, ::) together with a specific address of the
 * same family is refused, since Linux cannot listen on both at one port. And, for the startup
 * banner, which addresses a wildcard listener answers on (this machine's interfaces).
 *
 * @example
 * program.option('--mqtt-host <address>', 'listen address', listenAddresses);
 * // --mqtt-host 10.0.0.1,::1  =>  ['10.0.0.1', '::1']
 * reachableAddresses('0.0.0.0', networkInterfaces()); // ['127.0.0.1', '10.0.0.1']
 */
import { isIP } from 'node:net';
import type { NetworkInterfaceInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { isWildcard } from '../core/net-address.ts';

function family(address: string): 4 | 6 {
  return isIP(address) === 6 ? 6 : 4;
}

/**
 * Parser of a repeatable, comma-separated address option: each address an IPv4 or IPv6 literal
 * (brackets around IPv6 allowed), duplicates dropped, no wildcard next to a specific address of
 * its family. Throws commander's InvalidArgumentError, which names the flag.
 */
export function listenAddresses(value: string, previous: string[] | undefined): string[] {
  const out = [...(previous ?? [])];
  for (const part of value.split(',')) {
    const trimmed = part.trim();
    const address = /^\[.*\]$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
    if (isIP(address) === 0) {
      throw new InvalidArgumentError(
        `'${trimmed}' is not an IP address (give one this machine listens on, e.g. 0.0.0.0, 10.0.0.1 or ::).`,
      );
    }
    if (out.includes(address)) continue;
    const clash = out.find(
      (a) => family(a) === family(address) && (isWildcard(a) || isWildcard(address)),
    );
    if (clash !== undefined) {
      const [wild, specific] = isWildcard(clash) ? [clash, address] : [address, clash];
      throw new InvalidArgumentError(
        `${wild} already listens on every IPv${family(wild)} address, ${specific} included: give one or the other.`,
      );
    }
    out.push(address);
  }
  return out;
}

/**
 * The addresses a listener on `address` answers on: itself, or for a wildcard every address of
 * this machine's interfaces (IPv6 link-local ones left out: a URL would need their zone). A
 * dual-stack `::` answers on IPv4 addresses too, unless `ipv6Only`.
 */
export function reachableAddresses(
  address: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  ipv6Only = false,
): string[] {
  if (!isWildcard(address)) return [address];
  const all = Object.values(interfaces).flatMap((list) => list ?? []);
  return all
    .filter((i) => {
      if (i.family === 'IPv6') return address === '::' && !/^fe[89ab]/i.test(i.address);
      return address === '0.0.0.0' || !ipv6Only;
    })
    .map((i) => i.address);
}
