/**
 * Unicast translation-table messages, routed hop by hop to one originator (our restatement of
 * batman-adv's unicast TVLV packets carrying TT_REQUEST, TT_RESPONSE and ROAM_ADV). Big-endian:
 *
 *   off len field
 *   0   1   packet type 0x54 ('T')
 *   1   1   version (1)
 *   2   1   TTL
 *   3   1   message type: 1 TT request, 2 TT response, 3 roaming advertisement
 *   4   2   destination originator address
 *   6   2   source originator address
 *   8   ..  body:
 *           TT request (2 bytes): u8 TTVN the requester last applied, u8 flags (0x01 FULL_TABLE)
 *           TT response (4 + 6V + 9N): u8 TTVN, u8 V, u16 N, V VLAN records (u16 id, u32
 *             CRC32C), N entries (u8 flags, 6 bytes MAC, u16 VLAN id) as in the OGM TT block
 *           roaming advertisement (8 bytes): 6 bytes client MAC, u16 VLAN id
 *
 * @example
 * const bytes = encodeTtMessage({ kind: 'roam-adv', ttl: 50, dst: 3, src: 7, mac: 'aa:bb:cc:dd:ee:01', vid: 0 });
 * decodeTtMessage(bytes).kind; // 'roam-adv'
 */
import { TtDecodeError } from '../errors.ts';
import { MAC_BYTES, MAX_VID, readMac, writeMac } from './client-mac.ts';
import {
  checkChanges,
  checkVlans,
  readChanges,
  readVlans,
  TT_CHANGE_BYTES,
  TT_VLAN_BYTES,
  type TtChange,
  writeChanges,
  writeVlans,
} from './tt-block.ts';
import type { VlanCrc } from './tt-crc.ts';

export const TT_PACKET_TYPE = 0x54;
export const TT_VERSION = 1;
export const TT_HEADER_BYTES = 8;
export const TT_MSG_REQUEST = 1;
export const TT_MSG_RESPONSE = 2;
export const TT_MSG_ROAM_ADV = 3;
export const TT_REQUEST_FULL_TABLE = 0x01;

interface Routed {
  ttl: number;
  /** Originator the message is for. */
  dst: number;
  /** Originator that sent it. */
  src: number;
}

export type TtMessage = Routed &
  (
    | { kind: 'request'; ttvn: number; full: boolean }
    | { kind: 'response'; ttvn: number; vlans: VlanCrc[]; entries: TtChange[] }
    | { kind: 'roam-adv'; mac: string; vid: number }
  );

function bodySize(m: TtMessage): number {
  switch (m.kind) {
    case 'request':
      return 2;
    case 'response':
      return 4 + TT_VLAN_BYTES * m.vlans.length + TT_CHANGE_BYTES * m.entries.length;
    case 'roam-adv':
      return MAC_BYTES + 2;
  }
}

export function encodeTtMessage(m: TtMessage): Uint8Array {
  const out = new Uint8Array(TT_HEADER_BYTES + bodySize(m));
  const v = new DataView(out.buffer);
  v.setUint8(0, TT_PACKET_TYPE);
  v.setUint8(1, TT_VERSION);
  v.setUint8(2, m.ttl);
  v.setUint16(4, m.dst);
  v.setUint16(6, m.src);
  const b = TT_HEADER_BYTES;
  switch (m.kind) {
    case 'request':
      v.setUint8(3, TT_MSG_REQUEST);
      v.setUint8(b, m.ttvn & 0xff);
      v.setUint8(b + 1, m.full ? TT_REQUEST_FULL_TABLE : 0);
      break;
    case 'response':
      v.setUint8(3, TT_MSG_RESPONSE);
      v.setUint8(b, m.ttvn & 0xff);
      v.setUint8(b + 1, m.vlans.length);
      v.setUint16(b + 2, m.entries.length);
      writeChanges(m.entries, out, writeVlans(m.vlans, out, b + 4));
      break;
    case 'roam-adv':
      v.setUint8(3, TT_MSG_ROAM_ADV);
      writeMac(m.mac, out, b);
      v.setUint16(b + MAC_BYTES, m.vid);
      break;
  }
  return out;
}

/** The destination originator of a TT message, read without decoding the body. */
export function ttMessageDst(frame: Uint8Array): number {
  return (frame[4]! << 8) | frame[5]!;
}

/** A copy of a TT message with its TTL set, for forwarding. */
export function withTtMessageTtl(frame: Uint8Array, ttl: number): Uint8Array {
  const copy = frame.slice();
  copy[2] = ttl;
  return copy;
}

/** Decodes a whole TT message; throws TtDecodeError naming the byte at fault. */
export function decodeTtMessage(f: Uint8Array): TtMessage {
  if (f.length < TT_HEADER_BYTES)
    throw new TtDecodeError(0, `truncated header (${f.length} of ${TT_HEADER_BYTES} bytes)`);
  if (f[0] !== TT_PACKET_TYPE)
    throw new TtDecodeError(0, `packet type 0x${f[0]!.toString(16)} is not a TT message`);
  if (f[1] !== TT_VERSION) throw new TtDecodeError(1, `version ${f[1]}, expected ${TT_VERSION}`);
  const routed: Routed = { ttl: f[2]!, dst: (f[4]! << 8) | f[5]!, src: (f[6]! << 8) | f[7]! };
  const b = TT_HEADER_BYTES;
  const body = f.length - b;
  const exact = (n: number, what: string): void => {
    if (body !== n) throw new TtDecodeError(b, `${what} body of ${body} bytes, expected ${n}`);
  };
  switch (f[3]) {
    case TT_MSG_REQUEST: {
      exact(2, 'TT request');
      const flags = f[b + 1]!;
      if ((flags & ~TT_REQUEST_FULL_TABLE) !== 0)
        throw new TtDecodeError(b + 1, `unknown request flags 0x${flags.toString(16)}`);
      return { ...routed, kind: 'request', ttvn: f[b]!, full: flags !== 0 };
    }
    case TT_MSG_RESPONSE: {
      if (body < 4) throw new TtDecodeError(b, `truncated TT response header (${body} of 4 bytes)`);
      const vlans = f[b + 1]!;
      const entries = (f[b + 2]! << 8) | f[b + 3]!;
      exact(
        4 + TT_VLAN_BYTES * vlans + TT_CHANGE_BYTES * entries,
        `TT response (${vlans} VLANs, ${entries} entries)`,
      );
      const vOff = b + 4;
      const eOff = vOff + TT_VLAN_BYTES * vlans;
      const bad = checkVlans(f, vOff, vlans) ?? checkChanges(f, eOff, entries);
      if (bad) throw new TtDecodeError(bad[0], bad[1]);
      return {
        ...routed,
        kind: 'response',
        ttvn: f[b]!,
        vlans: readVlans(f, vOff, vlans),
        entries: readChanges(f, eOff, entries),
      };
    }
    case TT_MSG_ROAM_ADV: {
      exact(MAC_BYTES + 2, 'roaming advertisement');
      const vid = (f[b + MAC_BYTES]! << 8) | f[b + MAC_BYTES + 1]!;
      if (vid > MAX_VID)
        throw new TtDecodeError(b + MAC_BYTES, `VLAN id ${vid} is above ${MAX_VID}`);
      return { ...routed, kind: 'roam-adv', mac: readMac(f, b), vid };
    }
    default:
      throw new TtDecodeError(3, `unknown message type ${f[3]}`);
  }
}
