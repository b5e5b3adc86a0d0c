import { describe, expect, it } from 'vitest';
import { crc16 } from './crc16.ts';
import { decodeFrame, emptyFrame, encodeFrame, frameCrc } from './frame-codec.ts';
import { PacketType } from './packet-type.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

// The seed's CreatePing(69) on device 42 with sequence 0x10, as its packed C struct with crc 0:
// src 2a00 | dst 4500 | hop 0000 | size 10 | type 05 | seq 10 | resp 00 | crc 0000 |
// fragment 01 | fragments 01 | attempt 01 | hops 00
const SEED_PING = hex('2a00 4500 0000 10 05 10 00 0000 01 01 01 00');

describe('frame codec', () => {
  it('decodes the seed C ping byte for byte (crc 0 = no CRC)', () => {
    const f = decodeFrame(SEED_PING);
    expect(f).toMatchObject({
      src: 42,
      dst: 69,
      hop: 0,
      type: PacketType.Ping,
      sequence: 0x10,
      response: 0,
      crc: 0,
      fragment: 1,
      fragments: 1,
      attempt: 1,
      hops: 0,
    });
    expect(f.data.length).toBe(0);
  });

  it('encodes to the golden bytes with the CRC over the zeroed fields', () => {
    const bytes = encodeFrame({
      ...emptyFrame(),
      src: 0x0102,
      dst: 0x0304,
      hop: 0x0506,
      type: PacketType.Data,
      sequence: 0x77,
      response: 0x88,
      fragment: 2,
      fragments: 3,
      attempt: 4,
      hops: 5,
      data: hex('deadbeef'),
    });
    // Expected CRC: the CRC of the same bytes with crc, hop, attempt and hops zeroed.
    const zeroed = hex('0201 0403 0000 14 09 77 88 0000 02 03 00 00 deadbeef');
    const crc = crc16(zeroed);
    const golden = hex(
      `0201 0403 0605 14 09 77 88 ${(crc & 0xff).toString(16).padStart(2, '0')}${(crc >> 8)
        .toString(16)
        .padStart(2, '0')} 02 03 04 05 deadbeef`,
    );
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(golden).toString('hex'));
    expect(decodeFrame(bytes).crc).toBe(crc);
  });

  it('keeps the CRC valid when a relay rewrites hop, hops and attempt', () => {
    const bytes = encodeFrame({ ...emptyFrame(), src: 1, dst: 9, type: PacketType.Data });
    bytes[4] = 7;
    bytes[14] = 3;
    bytes[15] = 2;
    expect(decodeFrame(bytes, { requireCrc: true })).toMatchObject({ hop: 7, attempt: 3, hops: 2 });
  });

  it('round-trips every field', () => {
    const f = {
      ...emptyFrame(),
      src: 65535,
      dst: 1,
      hop: 300,
      type: PacketType.Rscan,
      sequence: 255,
      response: 1,
      fragment: 255,
      fragments: 255,
      attempt: 255,
      hops: 255,
      data: new Uint8Array(239).fill(0xab),
    };
    const back = decodeFrame(encodeFrame(f), { requireCrc: true });
    expect({ ...back, data: [...back.data] }).toEqual({ ...f, data: [...f.data] });
  });

  it('ignores radio padding after size', () => {
    const padded = new Uint8Array(32);
    padded.set(SEED_PING);
    expect(decodeFrame(padded).data.length).toBe(0);
  });

  it('rejects each bad field with its own typed error naming it', () => {
    const cases: [Uint8Array, string, RegExp][] = [
      [SEED_PING.subarray(0, 15), 'TruncatedFrameError', /15 bytes/],
      [withByte(SEED_PING, 6, 15), 'FrameSizeMismatchError', /size field 15/],
      [withByte(SEED_PING, 6, 17), 'FrameSizeMismatchError', /size field 17/],
      [withByte(SEED_PING, 7, 12), 'UnknownPacketTypeError', /type 12 at byte 7/],
      [withByte(SEED_PING, 12, 0), 'BadFragmentError', /fragment 0 of 1/],
      [withByte(SEED_PING, 12, 2), 'BadFragmentError', /fragment 2 of 1/],
      [withByte(SEED_PING, 10, 1), 'CrcMismatchError', /bytes 10-11/],
    ];
    for (const [bytes, name, message] of cases) {
      expect(() => decodeFrame(bytes)).toThrow(message);
      try {
        decodeFrame(bytes);
      } catch (e) {
        expect((e as Error).name).toBe(name);
      }
    }
  });

  it('rejects a frame without CRC only when the node requires one', () => {
    expect(() => decodeFrame(SEED_PING, { requireCrc: true })).toThrow(
      expect.objectContaining({ name: 'MissingCrcError' }),
    );
    const withCrc = SEED_PING.slice();
    const crc = frameCrc(withCrc, 16);
    withCrc[10] = crc & 0xff;
    withCrc[11] = crc >> 8;
    expect(decodeFrame(withCrc, { requireCrc: true }).crc).toBe(crc);
  });

  it('refuses to encode out-of-range fields', () => {
    expect(() => encodeFrame({ ...emptyFrame(), src: 70000 })).toThrow(/src 70000/);
    expect(() => encodeFrame({ ...emptyFrame(), data: new Uint8Array(240) })).toThrow(/256 bytes/);
  });
});

function withByte(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] = value;
  return copy;
}
