import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import { DataFrameError, decodeDataFrame, encodeDataFrame } from '../../sim/data-frame.ts';
import { OgmDecodeError, TtDecodeError } from '../errors.ts';
import {
  decodeOgmFrame,
  encodeOgm,
  encodeOgmFrame,
  FLAG_TT,
  nextOgmOffset,
  type Ogm,
  ogmOriginatorAt,
} from '../ogm-codec.ts';
import type { TtBlock } from './tt-block.ts';
import { clientCrc, crc32c, vlanCrcs } from './tt-crc.ts';
import { TT_CLIENT_DEL, TT_CLIENT_ROAM } from './tt-flags.ts';
import { decodeTtMessage, encodeTtMessage, type TtMessage } from './tt-unicast-codec.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const C1 = 'aa:bb:cc:dd:ee:01';

const base: Ogm = {
  ttl: 50,
  flags: 0,
  seqno: 0x01020304,
  originator: 0x0a0b,
  prevSender: 0x0c0d,
  tq: 225,
};
const block: TtBlock = {
  ttvn: 7,
  vlans: [{ vid: 0, crc: 0xdeadbeef }],
  changes: [{ mac: C1, vid: 0, flags: TT_CLIENT_DEL | TT_CLIENT_ROAM }],
};

describe('TT checksum', () => {
  it('is CRC-32C (check value of "123456789": 0xe3069283), XOR-ed per VLAN so order does not matter', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const a = { mac: C1, vid: 0 };
    const b = { mac: 'aa:bb:cc:dd:ee:02', vid: 0 };
    const c = { mac: C1, vid: 7 };
    expect(vlanCrcs([a, b, c])).toEqual(vlanCrcs([c, b, a]));
    expect(vlanCrcs([a, b, c])).toEqual([
      { vid: 0, crc: (clientCrc(a.mac, 0) ^ clientCrc(b.mac, 0)) >>> 0 },
      { vid: 7, crc: clientCrc(C1, 7) },
    ]);
    expect(clientCrc(C1, 0)).not.toBe(clientCrc(C1, 7));
  });
});

describe('TT wire format', () => {
  it('puts the TT block after the OGM header and gateway block (golden bytes)', () => {
    const bytes = encodeOgm({ ...base, tt: block });
    expect(hex(bytes)).toBe(
      '490132' +
        '04' +
        '01020304' +
        '0a0b' +
        '0c0d' +
        'e1' +
        '00' +
        // TT block: length 21, TTVN 7, 1 VLAN, 1 change
        '0015' +
        '07' +
        '01' +
        '0001' +
        '0000' +
        'deadbeef' +
        '03' +
        'aabbccddee01' +
        '0000',
    );
    const gw = encodeOgm({ ...base, gateway: { down: 1, up: 2 }, tt: block });
    expect(hex(gw.slice(13, 24))).toBe('08' + '00000001' + '00000002' + '0015');
    expect(gw[3]).toBe(0x02 | FLAG_TT);
    // A frame without TT is byte for byte the old format.
    expect(hex(encodeOgm(base))).toBe('490132' + '00' + '01020304' + '0a0b' + '0c0d' + 'e1' + '00');
  });

  it('round-trips OGMs with and without TT blocks, aggregated', () => {
    const ogms: Ogm[] = [
      { ...base, flags: FLAG_TT, tt: block },
      base,
      {
        ...base,
        flags: 0x02 | FLAG_TT,
        gateway: { down: 5, up: 6 },
        tt: { ttvn: 0, vlans: [], changes: [] },
      },
    ];
    const frame = encodeOgmFrame(ogms);
    expect(decodeOgmFrame(frame)).toEqual(ogms);
    // Stepping over the TT blocks by their own length lands on each OGM in turn.
    let off = 0;
    for (const o of ogms) {
      expect(ogmOriginatorAt(frame, off)).toBe(o.originator);
      off = nextOgmOffset(frame, off);
      expect(off).toBe(encodeOgmFrame(ogms.slice(0, ogms.indexOf(o) + 1)).length);
    }
  });

  it('round-trips any OGM TT block, and what decodes re-encodes to the same bytes (fast-check)', () => {
    const mac = fc
      .uint8Array({ minLength: 6, maxLength: 6 })
      .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'));
    const tt = fc.record({
      ttvn: fc.integer({ min: 0, max: 255 }),
      vlans: fc
        .uniqueArray(fc.integer({ min: 0, max: 4095 }), { maxLength: 4 })
        .chain((vids) =>
          fc.tuple(
            ...vids
              .sort((a, b) => a - b)
              .map((vid) =>
                fc.record({ vid: fc.constant(vid), crc: fc.integer({ min: 0, max: 0xffffffff }) }),
              ),
          ),
        ),
      changes: fc.array(
        fc.record({
          mac,
          vid: fc.integer({ min: 0, max: 4095 }),
          flags: fc.constantFrom(0, 1, 3, 0x10, 0x20),
        }),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(fc.array(tt, { minLength: 1, maxLength: 4 }), (blocks) => {
        const ogms: Ogm[] = blocks.map((t) => ({ ...base, flags: FLAG_TT, tt: t }));
        const bytes = encodeOgmFrame(ogms);
        expect(decodeOgmFrame(bytes)).toEqual(ogms);
      }),
      { numRuns: 300 },
    );
    const good = encodeOgm({ ...base, tt: block });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const bytes = good.slice();
        bytes[at] = value;
        try {
          expect(encodeOgmFrame(decodeOgmFrame(bytes))).toEqual(bytes);
        } catch (e) {
          expect((e as Error).name).toBe('OgmDecodeError');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a broken TT block with OgmDecodeError naming the byte', () => {
    const good = encodeOgm({ ...base, tt: block });
    const at = (mutate: (b: Uint8Array) => Uint8Array): string => {
      try {
        decodeOgmFrame(mutate(good.slice()));
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(OgmDecodeError);
        return (e as Error).message;
      }
    };
    expect(at((b) => b.slice(0, 17))).toBe(
      'OGM frame invalid at byte 14: truncated TT block header (3 of 6 bytes)',
    );
    expect(at((b) => b.slice(0, 30))).toBe(
      'OGM frame invalid at byte 14: truncated TT block (16 of 21 bytes)',
    );
    expect(at((b) => ((b[15] = 22), b))).toBe(
      'OGM frame invalid at byte 14: TT block length 22, but 1 VLANs and 1 changes take 21',
    );
    expect(at((b) => ((b[20] = 0x10), b))).toBe(
      'OGM frame invalid at byte 20: VLAN id 4096 is above 4095',
    );
    expect(at((b) => ((b[26] = 0x80), b))).toBe(
      'OGM frame invalid at byte 26: unknown client flags 0x80',
    );
  });

  it('encodes and decodes the unicast TT messages', () => {
    const msgs: TtMessage[] = [
      { kind: 'request', ttl: 50, dst: 1, src: 2, ttvn: 9, full: true },
      {
        kind: 'response',
        ttl: 49,
        dst: 2,
        src: 1,
        ttvn: 10,
        vlans: block.vlans,
        entries: [{ mac: C1, vid: 3, flags: 0 }],
      },
      { kind: 'roam-adv', ttl: 50, dst: 1, src: 3, mac: C1, vid: 0 },
    ];
    for (const m of msgs) expect(decodeTtMessage(encodeTtMessage(m))).toEqual(m);
    expect(hex(encodeTtMessage(msgs[2]!))).toBe(
      '540132' + '03' + '0001' + '0003' + 'aabbccddee01' + '0000',
    );
  });

  it('rejects malformed TT messages with TtDecodeError naming the byte', () => {
    const roam = encodeTtMessage({ kind: 'roam-adv', ttl: 50, dst: 1, src: 3, mac: C1, vid: 0 });
    const err = (b: Uint8Array): string => {
      try {
        decodeTtMessage(b);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(TtDecodeError);
        return (e as Error).message;
      }
    };
    expect(err(roam.slice(0, 5))).toBe(
      'TT message invalid at byte 0: truncated header (5 of 8 bytes)',
    );
    expect(err(roam.slice(0, 15))).toBe(
      'TT message invalid at byte 8: roaming advertisement body of 7 bytes, expected 8',
    );
    const wrongType = roam.slice();
    wrongType[3] = 9;
    expect(err(wrongType)).toBe('TT message invalid at byte 3: unknown message type 9');
    const req = encodeTtMessage({ kind: 'request', ttl: 50, dst: 1, src: 2, ttvn: 0, full: false });
    req[9] = 0x40;
    expect(err(req)).toBe('TT message invalid at byte 9: unknown request flags 0x40');
  });

  it('client-addressed data frames: documented layout, old node frames unchanged, clear errors', () => {
    const f = encodeDataFrame(
      { src: 1, dst: 5, ttl: 32, flow: 2, seq: 9, client: C1, roamForwards: 1 },
      24,
    );
    expect(hex(f)).toBe(
      '0001' +
        '0005' +
        '20' +
        '01' +
        '0002' +
        '00000009' +
        'aabbccddee01' +
        '01' +
        '00' +
        '00000000',
    );
    expect(decodeDataFrame(f)).toEqual({
      src: 1,
      dst: 5,
      ttl: 32,
      flow: 2,
      seq: 9,
      client: C1,
      roamForwards: 1,
    });
    expect(
      decodeDataFrame(encodeDataFrame({ src: 1, dst: 5, ttl: 32, flow: 2, seq: 9 }, 12)),
    ).toEqual({
      src: 1,
      dst: 5,
      ttl: 32,
      flow: 2,
      seq: 9,
    });
    expect(() => decodeDataFrame(f.slice(0, 15))).toThrow(
      new DataFrameError('client data frame of 15 bytes is shorter than its 20-byte header'),
    );
    const kind = f.slice();
    kind[5] = 7;
    expect(() => decodeDataFrame(kind)).toThrow(
      'data frame kind 7 at byte 5 is neither 0 (node) nor 1 (client)',
    );
  });
});

/** Random and mutated frames: nothing but a decoded value or the decoder's typed error may come out. */
describe('TT decoders fuzz', () => {
  it('survives 60 000 random and mutated OGM/TT/data frames with typed rejections only', () => {
    const rng = seededRandom(1313);
    const ogmSeeds = [
      encodeOgmFrame([{ ...base, tt: block }, base]),
      encodeOgm({ ...base, gateway: { down: 1, up: 2 }, tt: { ttvn: 1, vlans: [], changes: [] } }),
    ];
    const ttSeeds = [
      encodeTtMessage({ kind: 'request', ttl: 50, dst: 1, src: 2, ttvn: 9, full: true }),
      encodeTtMessage({
        kind: 'response',
        ttl: 9,
        dst: 2,
        src: 1,
        ttvn: 1,
        vlans: block.vlans,
        entries: block.changes,
      }),
      encodeTtMessage({ kind: 'roam-adv', ttl: 50, dst: 1, src: 3, mac: C1, vid: 0 }),
    ];
    const dataSeeds = [
      encodeDataFrame({ src: 1, dst: 2, ttl: 3, flow: 4, seq: 5, client: C1 }, 40),
    ];
    const decoders: Array<
      [Uint8Array[], (b: Uint8Array) => unknown, new (...a: never[]) => Error]
    > = [
      [ogmSeeds, decodeOgmFrame, OgmDecodeError],
      [ttSeeds, decodeTtMessage, TtDecodeError],
      [dataSeeds, decodeDataFrame, DataFrameError],
    ];
    const accepted = [0, 0, 0];
    const rejected = [0, 0, 0];
    for (let i = 0; i < 60_000; i++) {
      const d = i % 3;
      const [seeds, decode, ErrorClass] = decoders[d]!;
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(rng.int(80));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
        // Random bytes with the right type byte get past the first check more often.
        if (bytes.length > 0 && d < 2) bytes[0] = d === 0 ? 0x49 : 0x54;
        if (bytes.length > 1 && d < 2) bytes[1] = 1;
      } else {
        const seed = seeds[rng.int(seeds.length)]!;
        bytes = seed.slice(0, 1 + rng.int(seed.length + 4));
        for (let k = rng.int(3); k >= 0; k--)
          if (bytes.length) bytes[rng.int(bytes.length)] = rng.int(256);
      }
      try {
        decode(bytes);
        accepted[d]!++;
      } catch (e) {
        if (!(e instanceof ErrorClass)) throw e;
        rejected[d]!++;
      }
    }
    for (let d = 0; d < 3; d++) {
      expect(accepted[d]).toBeGreaterThan(0);
      expect(rejected[d]).toBeGreaterThan(0);
    }
  });
});
