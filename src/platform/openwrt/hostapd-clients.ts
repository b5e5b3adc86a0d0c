/**
 * Wi-Fi stations from hostapd over ubus, as OpenWrt's hostapd publishes them: one ubus object
 * per BSS (`ubus list 'hostapd.*'` → `hostapd.wlan0`, …), its SSID in `get_status`, and its
 * stations in `get_clients`: `{ "freq": 5180, "clients": { "<mac>": { "auth": true, "assoc":
 * true, "authorized": true, …, "aid": 1, "bytes": {…}, "rate": {…}, "signal": -52, … } } }`.
 * The driver part (bytes, rate, signal) is absent when hostapd could not read it from the driver.
 * Shapes checked against OpenWrt's hostapd ubus code (see docs/roaming-product.md for the file
 * and commit). get_clients says nothing of the VLAN, the AKM or when the station associated.
 *
 * @example
 * parseHostapdObjects('hostapd.wlan0\nhostapd.wlan1\n'); // ['wlan0', 'wlan1']
 * parseHostapdStatus(stdout).ssid; // 'staff'
 * parseHostapdClients(stdout, { iface: 'wlan0', ssid: 'staff' }); // [{ mac: 'aa:bb:…', signalDbm: -52, … }]
 */
import { z } from 'zod';
import { PlatformConfigError } from '../errors.ts';
import type { PlatformStation } from '../platform.ts';
import { OpenWrtOutputError } from './batctl-gw-mode.ts';

/** hostapd's answer over ubus is not what OpenWrt's hostapd sends. */
export class HostapdOutputError extends OpenWrtOutputError {}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

const clientSchema = z.looseObject({
  assoc: z.boolean(),
  authorized: z.boolean(),
  signal: z.number().int().optional(),
});
const clientsSchema = z.looseObject({
  freq: z.number().optional(),
  clients: z.record(z.string(), clientSchema),
});
const statusSchema = z.looseObject({ ssid: z.string(), status: z.string().optional() });

function parseJson<T>(what: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HostapdOutputError(`${what} is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HostapdOutputError(
      `${what} at ${issue.path.join('.') || '(document)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** The BSS interfaces of `ubus list 'hostapd.*'` (one object name a line). */
export function parseHostapdObjects(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const name = line.trim();
    if (name === '') continue;
    const m = /^hostapd\.(.+)$/.exec(name);
    if (!m || !IFNAME.test(m[1]!))
      throw new HostapdOutputError(`ubus list 'hostapd.*': '${name}' is not a hostapd BSS object`);
    out.push(m[1]!);
  }
  return out;
}

export function parseHostapdStatus(text: string, iface = 'wlan0'): { ssid: string } {
  return parseJson(`ubus call hostapd.${iface} get_status`, text, statusSchema);
}

/**
 * The stations of one BSS that are associated and authorized (802.1X or the 4-way handshake
 * done): one still in its handshake has no traffic through the AP yet and is left out.
 */
export function parseHostapdClients(
  text: string,
  bss: { iface: string; ssid: string },
): PlatformStation[] {
  const what = `ubus call hostapd.${bss.iface} get_clients`;
  const parsed = parseJson(what, text, clientsSchema);
  for (const mac of Object.keys(parsed.clients)) {
    if (!MAC.test(mac))
      throw new HostapdOutputError(`${what} at clients.${mac.slice(0, 40)}: not a MAC address`);
  }
  return Object.entries(parsed.clients)
    .filter(([, c]) => c.assoc && c.authorized)
    .map(([mac, c]) => ({
      mac: mac.toLowerCase(),
      ssid: bss.ssid,
      iface: bss.iface,
      // The driver's signal is a (negative) dBm value; anything else is no reading.
      signalDbm: c.signal !== undefined && c.signal < 0 && c.signal >= -150 ? c.signal : null,
    }))
    .sort((a, b) => a.mac.localeCompare(b.mac));
}

export function hostapdCall(iface: string, method: 'get_clients' | 'get_status'): string[] {
  if (!IFNAME.test(iface)) throw new PlatformConfigError(`'${iface}' is not an interface name`);
  return ['ubus', 'call', `hostapd.${iface}`, method];
}

export const HOSTAPD_LIST = ['ubus', 'list', 'hostapd.*'];
