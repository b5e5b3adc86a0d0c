/**
 * Client MAC addresses: lower-case `aa:bb:cc:dd:ee:ff` strings in the API, six bytes on the
 * wire. VLAN ids are 12-bit (0..4095; 0 = untagged).
 *
 * @example
 * const b = new Uint8Array(6);
 * writeMac('02:00:00:00:00:0a', b, 0);
 * readMac(b, 0); // '02:00:00:00:00:0a'
 */
import { ClientMacError } from '../errors.ts';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
export const MAC_BYTES = 6;
export const MAX_VID = 4095;

/** Throws ClientMacError unless `mac` is six lower-case hex pairs separated by colons. */
export function checkMac(mac: string): string {
  if (!MAC_RE.test(mac)) throw new ClientMacError(mac);
  return mac;
}

export function writeMac(mac: string, out: Uint8Array, off: number): void {
  for (let i = 0; i < MAC_BYTES; i++) out[off + i] = parseInt(mac.slice(i * 3, i * 3 + 2), 16);
}

export function readMac(bytes: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < MAC_BYTES; i++) {
    if (i > 0) s += ':';
    s += bytes[off + i]!.toString(16).padStart(2, '0');
  }
  return s;
}
