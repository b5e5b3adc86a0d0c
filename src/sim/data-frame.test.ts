import { describe, expect, it } from 'vitest';
import {
  DataFrameError,
  type DataHeader,
  decodeDataFrame,
  encodeDataFrame,
  reForwarded,
  withTtl,
} from './data-frame.ts';

// The layout as the DataView version wrote it (before issue 16 wrote bytes directly): the
// model the direct encoder must match byte for byte, out-of-range values included.
function modelEncode(h: DataHeader, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, h.client === undefined ? 12 : 20));
  const v = new DataView(out.buffer);
  v.setUint16(0, h.src);
  v.setUint16(2, h.dst);
  v.setUint8(4, h.ttl);
  v.setUint16(6, h.flow);
  v.setUint32(8, h.seq >>> 0);
  if (h.client !== undefined) {
    v.setUint8(5, 1);
    h.client.split(':').forEach((x, i) => v.setUint8(12 + i, parseInt(x, 16)));
    v.setUint8(18, h.roamForwards ?? 0);
  }
  return out;
}

describe('data frame codec', () => {
  it('writes the pinned bytes of a node frame and a client frame', () => {
    const node = encodeDataFrame(
      { src: 0x0102, dst: 0x0304, ttl: 64, flow: 7, seq: 0xa1b2c3d4 },
      14,
    );
    expect([...node]).toEqual([1, 2, 3, 4, 64, 0, 0, 7, 0xa1, 0xb2, 0xc3, 0xd4, 0, 0]);
    const client = encodeDataFrame(
      { src: 1, dst: 2, ttl: 3, flow: 4, seq: 5, client: 'aa:bb:cc:dd:ee:01', roamForwards: 2 },
      0,
    );
    expect([...client]).toEqual([
      0, 1, 0, 2, 3, 1, 0, 4, 0, 0, 0, 5, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01, 2, 0,
    ]);
  });

  it('matches the DataView layout and decodes what it wrote, edge values included', () => {
    const values = [0, 1, 255, 256, 0xffff, 0x10000, 0x1_0000_0001, 0x7fffffff, 0xffffffff, -1];
    for (const a of values)
      for (const b of values) {
        const h: DataHeader = { src: a, dst: b, ttl: a, flow: b, seq: a * 3 + b };
        const bytes = encodeDataFrame(h, 40);
        expect(bytes).toEqual(modelEncode(h, 40));
        const d = decodeDataFrame(bytes);
        expect(d).toEqual({
          src: a & 0xffff,
          dst: b & 0xffff,
          ttl: a & 0xff,
          flow: b & 0xffff,
          seq: (a * 3 + b) >>> 0,
        });
        const c = { ...h, client: '02:00:00:00:00:09', roamForwards: b & 0xff };
        expect(encodeDataFrame(c, 0)).toEqual(modelEncode(c, 0));
        expect(decodeDataFrame(encodeDataFrame(c, 0)).roamForwards).toBe(b & 0xff);
      }
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    const buf = new Uint8Array(64);
    buf.set(encodeDataFrame({ src: 9, dst: 10, ttl: 11, flow: 12, seq: 13 }, 12), 20);
    expect(decodeDataFrame(buf.subarray(20, 32))).toEqual({
      src: 9,
      dst: 10,
      ttl: 11,
      flow: 12,
      seq: 13,
    });
  });

  it('rejects short frames, unknown kinds and a non-zero reserved byte', () => {
    expect(() => decodeDataFrame(new Uint8Array(11))).toThrow(DataFrameError);
    const bad = encodeDataFrame({ src: 1, dst: 2, ttl: 3, flow: 4, seq: 5 }, 12);
    bad[5] = 2;
    expect(() => decodeDataFrame(bad)).toThrow(/kind 2/);
    const shortClient = encodeDataFrame({ src: 1, dst: 2, ttl: 3, flow: 4, seq: 5 }, 12);
    shortClient[5] = 1;
    expect(() => decodeDataFrame(shortClient)).toThrow(/shorter than its 20-byte header/);
    const reserved = encodeDataFrame(
      { src: 1, dst: 2, ttl: 3, flow: 4, seq: 5, client: 'aa:bb:cc:dd:ee:01', roamForwards: 0 },
      20,
    );
    reserved[19] = 1;
    expect(() => decodeDataFrame(reserved)).toThrow(/reserved byte 19/);
  });

  it('forwards on private copies', () => {
    const f = encodeDataFrame(
      { src: 1, dst: 2, ttl: 9, flow: 4, seq: 5, client: 'aa:bb:cc:dd:ee:01', roamForwards: 0 },
      20,
    );
    const t = withTtl(f, 8);
    expect([t[4], f[4]]).toEqual([8, 9]);
    const r = reForwarded(f, 0x0203, 7);
    expect(decodeDataFrame(r)).toMatchObject({ dst: 0x0203, ttl: 7, roamForwards: 1 });
    expect(decodeDataFrame(f)).toMatchObject({ dst: 2, ttl: 9, roamForwards: 0 });
  });
});
