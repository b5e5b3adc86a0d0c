/**
 * The checksum of a translation table, per VLAN, as batman-adv computes it: CRC32C of each
 * client's (VLAN id, MAC), XOR-ed over the clients. XOR makes it independent of the order the
 * tables hold their entries in, so two nodes agree on it without sorting anything.
 *
 * @example
 * vlanCrcs([{ mac: '02:00:00:00:00:0a', vid: 0 }]); // [{ vid: 0, crc: <u32> }]
 */
import { writeMac } from './client-mac.ts';

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the CRC batman-adv's TT uses. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const scratch = new Uint8Array(8);

/** One client's contribution: CRC32C over its VLAN id (big-endian u16) then its MAC. */
export function clientCrc(mac: string, vid: number): number {
  scratch[0] = (vid >> 8) & 0xff;
  scratch[1] = vid & 0xff;
  writeMac(mac, scratch, 2);
  return crc32c(scratch);
}

export interface VlanCrc {
  vid: number;
  crc: number;
}

/** The per-VLAN checksums of a set of clients, sorted by VLAN id (VLANs with no client: none). */
export function vlanCrcs(clients: Iterable<{ mac: string; vid: number }>): VlanCrc[] {
  const byVid = new Map<number, number>();
  for (const c of clients)
    byVid.set(c.vid, ((byVid.get(c.vid) ?? 0) ^ clientCrc(c.mac, c.vid)) >>> 0);
  return [...byVid.entries()].sort((a, b) => a[0] - b[0]).map(([vid, crc]) => ({ vid, crc }));
}

export function sameCrcs(a: readonly VlanCrc[], b: readonly VlanCrc[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (a[i]!.vid !== b[i]!.vid || a[i]!.crc !== b[i]!.crc) return false;
  return true;
}
