/**
 * Mesh addresses are 16-bit numbers; batctl shows MAC addresses. The JSON tables render an
 * address as a locally administered MAC (`02:00:00:00:HH:LL`) so consumers that parse batctl's
 * output can parse ours unchanged.
 *
 * @example
 * addressToMac(0x0a0b); // '02:00:00:00:0a:0b'
 * macToAddress('02:00:00:00:0a:0b'); // 2571
 */
const hex = (n: number): string => n.toString(16).padStart(2, '0');

export function addressToMac(address: number): string {
  return `02:00:00:00:${hex((address >> 8) & 0xff)}:${hex(address & 0xff)}`;
}

/** Inverse of addressToMac; undefined when the string is not one of ours. */
export function macToAddress(mac: string): number | undefined {
  const m = /^02:00:00:00:([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (!m) return undefined;
  return (parseInt(m[1]!, 16) << 8) | parseInt(m[2]!, 16);
}
