/**
 * netifd through `ubus`: parse `ubus call network.interface.<name> status` and the events of
 * `ubus listen network.interface`, and build the calls that bring an interface down and up (the
 * self-healing restart of a stuck WAN).
 *
 * @example
 * parseInterfaceStatus(stdout); // { up: true, device: 'eth1', gateway: '192.0.2.1', ipv4: ['192.0.2.10/24'], uptimeS: 3600 }
 * ubusInterfaceCall('wan', 'down'); // ['ubus', 'call', 'network.interface.wan', 'down']
 * parseInterfaceEvent('{ "network.interface": {"action":"ifup","interface":"wan"} }'); // { action: 'ifup', interface: 'wan' }
 */
import { z } from 'zod';
import { PlatformConfigError } from '../errors.ts';
import { OpenWrtOutputError } from './batctl-gw-mode.ts';

const schema = z.looseObject({
  up: z.boolean(),
  uptime: z.number().optional(),
  l3_device: z.string().optional(),
  device: z.string().optional(),
  'ipv4-address': z.array(z.looseObject({ address: z.string(), mask: z.number() })).default([]),
  route: z
    .array(z.looseObject({ target: z.string(), mask: z.number(), nexthop: z.string() }))
    .default([]),
});

export interface InterfaceStatus {
  up: boolean;
  device: string | null;
  gateway: string | null;
  ipv4: string[];
  uptimeS: number | null;
}

export function parseInterfaceStatus(text: string): InterfaceStatus {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new OpenWrtOutputError(`ubus interface status is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OpenWrtOutputError(
      `ubus interface status at ${issue.path.join('.') || '(document)'}: ${issue.message}`,
    );
  }
  const s = parsed.data;
  const def = s.route.find((r) => r.target === '0.0.0.0' && r.mask === 0);
  return {
    up: s.up,
    device: s.l3_device ?? s.device ?? null,
    gateway: def?.nexthop ?? null,
    ipv4: s['ipv4-address'].map((a) => `${a.address}/${a.mask}`),
    uptimeS: s.uptime ?? null,
  };
}

/**
 * One line of `ubus listen network.interface`: `{ "network.interface": {"action":"ifup",
 * "interface":"wan"} }`. Anything else (another event type, a partial line) is null.
 */
export function parseInterfaceEvent(line: string): { action: string; interface: string } | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return null;
  }
  const body = (json as Record<string, unknown> | null)?.['network.interface'];
  if (typeof body !== 'object' || body === null) return null;
  const { action, interface: iface } = body as Record<string, unknown>;
  return typeof action === 'string' && typeof iface === 'string'
    ? { action, interface: iface }
    : null;
}

export function ubusInterfaceCall(name: string, method: 'status' | 'up' | 'down'): string[] {
  if (!/^[A-Za-z0-9_]{1,15}$/.test(name))
    throw new PlatformConfigError(`'${name}' is not a netifd interface name`);
  return ['ubus', 'call', `network.interface.${name}`, method];
}
