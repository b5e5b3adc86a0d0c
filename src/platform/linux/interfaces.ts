/**
 * Parses `ip -j addr show` into the platform's InterfaceInfo, and `ip -o monitor link` lines
 * into carrier changes.
 *
 * @example
 * parseIpAddrJson('[{"ifname":"eth0","flags":["UP","LOWER_UP"],"addr_info":[{"local":"192.0.2.2","prefixlen":24}]}]');
 * // [{ name: 'eth0', up: true, carrier: true, addresses: ['192.0.2.2/24'] }]
 */
import { z } from 'zod';
import { PlatformConfigError } from '../errors.ts';
import type { InterfaceInfo, LinkChange } from '../platform.ts';

const schema = z.array(
  z.looseObject({
    ifname: z.string(),
    flags: z.array(z.string()).default([]),
    addr_info: z
      .array(z.looseObject({ local: z.string().optional(), prefixlen: z.number().optional() }))
      .default([]),
  }),
);

export function parseIpAddrJson(text: string): InterfaceInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PlatformConfigError(`ip -j addr output is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new PlatformConfigError(
      `ip -j addr output at ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
    );
  return parsed.data.map((i) => ({
    name: i.ifname,
    up: i.flags.includes('UP'),
    carrier: i.flags.includes('LOWER_UP'),
    addresses: i.addr_info
      .filter((a) => a.local !== undefined)
      .map((a) => `${a.local}/${a.prefixlen ?? 32}`),
  }));
}

/** One line of `ip -o monitor link`, e.g. "3: wan1@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> ..." */
export function parseMonitorLinkLine(line: string): LinkChange | null {
  const m = /^(?:Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>/.exec(line.trim());
  if (!m) return null;
  const flags = m[2]!.split(',');
  return {
    device: m[1]!,
    carrier: !line.startsWith('Deleted') && flags.includes('LOWER_UP') && flags.includes('UP'),
  };
}
