import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeOgmFrame,
  encodeOgm,
  encodeOgmFrame,
  FLAG_DIRECTLINK,
  nextOgmOffset,
  type Ogm,
  ogmOriginatorAt,
} from './ogm-codec.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The originators of a validated frame, walked without decoding (the engine's prefetch). */
const walkOriginators = (frame: Uint8Array): number[] => {
  const out: number[] = [];
  let off = 0;
  for (; off < frame.length; off = nextOgmOffset(frame, off)) out.push(ogmOriginatorAt(frame, off));
  expect(off).toBe(frame.length);
  return out;
};

describe('OGM codec', () => {
  it('encodes the documented layout (golden bytes)', () => {
    const ogm: Ogm = {
      ttl: 50,
      flags: FLAG_DIRECTLINK,
      seqno: 0x01020304,
      originator: 0x0a0b,
      prevSender: 0x0c0d,
      tq: 225,
    };
    expect(hex(encodeOgm(ogm))).toBe('490132' + '01' + '01020304' + '0a0b' + '0c0d' + 'e1' + '00');
    const gw = encodeOgm({ ...ogm, flags: 0, gateway: { down: 1000, up: 200 } });
    expect(hex(gw)).toBe(
      '490132' + '02' + '01020304' + '0a0b' + '0c0d' + 'e1' + '08' + '000003e8' + '000000c8',
    );
  });

  it('round-trips aggregated frames', () => {
    const arb = fc.record({
      ttl: fc.integer({ min: 0, max: 255 }),
      flags: fc.constantFrom(0, FLAG_DIRECTLINK),
      seqno: fc.integer({ min: 0, max: 0xffffffff }),
      originator: fc.integer({ min: 0, max: 0xffff }),
      prevSender: fc.integer({ min: 0, max: 0xffff }),
      tq: fc.integer({ min: 0, max: 255 }),
      gateway: fc.option(
        fc.record({
          down: fc.integer({ min: 0, max: 0xffffffff }),
          up: fc.integer({ min: 0, max: 0xffffffff }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(fc.array(arb, { minLength: 1, maxLength: 20 }), (ogms) => {
        const clean = ogms.map((o) => {
          const { gateway, ...rest } = o;
          return gateway ? { ...rest, gateway } : rest;
        });
        const frame = encodeOgmFrame(clean);
        const decoded = decodeOgmFrame(frame);
        expect(decoded).toEqual(
          clean.map((o) => ({ ...o, flags: o.flags | ('gateway' in o ? 2 : 0) })),
        );
        expect(walkOriginators(frame)).toEqual(clean.map((o) => o.originator));
      }),
    );
  });

  it('rejects malformed frames with a typed error naming the byte', () => {
    const good = encodeOgm({ ttl: 5, flags: 0, seqno: 1, originator: 1, prevSender: 1, tq: 255 });
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /byte 0: empty frame/],
      [good.slice(0, 10), /byte 0: truncated header/],
      [Uint8Array.from([0x50, ...good.slice(1)]), /byte 0: packet type 0x50/],
      [Uint8Array.from([0x49, 9, ...good.slice(2)]), /byte 1: version 9/],
      [Uint8Array.from([...good.slice(0, 3), 0x80, ...good.slice(4)]), /byte 3: unknown flags/],
      [
        Uint8Array.from([...good.slice(0, 13), 8]),
        /byte 13: optional block of 8 bytes, expected 0/,
      ],
      [Uint8Array.from([...good, ...good.slice(0, 5)]), /byte 14: truncated header/],
    ];
    for (const [frame, msg] of cases) {
      expect(() => decodeOgmFrame(frame)).toThrow(msg);
      try {
        decodeOgmFrame(frame);
      } catch (e) {
        expect((e as Error).name).toBe('OgmDecodeError');
      }
    }
  });

  it('never throws anything but OgmDecodeError on random bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const ogms = decodeOgmFrame(bytes);
          expect(encodeOgmFrame(ogms)).toEqual(bytes);
        } catch (e) {
          expect((e as Error).name).toBe('OgmDecodeError');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
