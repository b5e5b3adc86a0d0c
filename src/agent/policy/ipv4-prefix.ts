/**
 * IPv4 addresses and CIDR prefixes as 32-bit numbers, for matching policy rules. IPv6 rules are
 * not supported yet: a v6 prefix is rejected with a typed error rather than silently ignored.
 *
 * @example
 * const lan = parseIpv4Prefix('192.168.1.0/24', 'rules.0.srcIp');
 * prefixContains(lan, parseIpv4('192.168.1.20', 'flow.srcIp')); // true
 */
import { InvalidAddressError } from './errors.ts';

export interface Ipv4Prefix {
  network: number;
  length: number;
}

export function parseIpv4(value: string, where: string): number {
  const parts = value.split('.');
  if (parts.length !== 4) throw new InvalidAddressError(value, where);
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new InvalidAddressError(value, where);
    n = n * 256 + Number(part);
  }
  return n;
}

function mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

export function parseIpv4Prefix(value: string, where: string): Ipv4Prefix {
  const [addr, len, ...rest] = value.split('/');
  const length = len === undefined ? 32 : Number(len);
  if (
    rest.length > 0 ||
    !Number.isInteger(length) ||
    length < 0 ||
    length > 32 ||
    (len !== undefined && !/^\d+$/.test(len))
  ) {
    throw new InvalidAddressError(value, where);
  }
  const address = parseIpv4(addr ?? '', where);
  return { network: (address & mask(length)) >>> 0, length };
}

export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  return (address & mask(prefix.length)) >>> 0 === prefix.network;
}
