/**
 * Parsers for CLI option values: each rejects bad input with a message naming the flag and the
 * value, through commander's InvalidArgumentError.
 */
import { InvalidArgumentError } from 'commander';
import { trustProxyProblem } from '../controller/http/trust-proxy.ts';

/** An integer within [min, max], e.g. a 16-bit address or a count. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`'${value}' is not an integer.`);
    }
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(`${n} is outside ${min}..${max}.`);
    }
    return n;
  };
}

export interface HostPort {
  host: string;
  port: number;
}

/** HOST:PORT, with IPv6 hosts in brackets: `[::1]:4000`. */
export function parseHostPort(value: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not HOST:PORT (for example 127.0.0.1:4000).`);
  }
  return { host, port };
}

/** For repeatable options: `--peer A --peer B` collects into an array. */
export function collect<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** One `--trust-proxy` entry: an IP address, a CIDR, or loopback / linklocal / uniquelocal. */
export function trustProxyEntry(value: string): string {
  const entry = value.trim();
  const problem = trustProxyProblem(entry);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return entry;
}
