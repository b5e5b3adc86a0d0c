/**
 * IPv4 addresses and CIDR subnets as 32-bit integers: parsing, overlap and host arithmetic
 * for VLAN subnets and node addresses.
 *
 * @example
 * const s = parseCidr('10.10.0.0/16');
 * hostAddress(s!, 11); // '10.10.0.11'
 */
export interface Cidr {
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? '';
    // Leading zeros read as octal in some tools; refuse them rather than guess.
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** A subnet whose host bits are zero; `10.10.0.1/16` is refused (ambiguous intent). */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIpv4(m[1] ?? '');
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  if ((ip & ~mask(prefix)) >>> 0 !== 0) return undefined;
  return { network: ip, prefix };
}

export function netmask(c: Cidr): string {
  return formatIpv4(mask(c.prefix));
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.network + size(a) - 1;
  const bEnd = b.network + size(b) - 1;
  return a.network <= bEnd && b.network <= aEnd;
}

/** Usable host numbers are 1 .. size-2 (network and broadcast excluded). */
export function hostFits(c: Cidr, host: number): boolean {
  return host >= 1 && host <= size(c) - 2;
}

export function hostAddress(c: Cidr, host: number): string {
  return formatIpv4(c.network + host);
}
