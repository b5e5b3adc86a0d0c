import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { FrameDecodeError } from './errors.ts';
import { decodeFrame, emptyFrame, encodeFrame } from './frame-codec.ts';

/** Random and mutated frames: nothing but a Frame or a typed FrameDecodeError may come out. */
describe('decoder fuzz', () => {
  it('survives 100 000 random and mutated frames with typed rejections only', () => {
    const rng = seededRandom(2026);
    const valid = [0, 5, 16, 100, 239].map((n) =>
      encodeFrame({ ...emptyFrame(), src: 3, dst: 4, type: 9, data: new Uint8Array(n).fill(7) }),
    );
    // The seed's C frames carry crc 0: mutated copies of one exercise the requireCrc path.
    const legacy = valid[1]!.slice();
    legacy[10] = 0;
    legacy[11] = 0;
    valid.push(legacy);
    const names = new Map<string, number>();
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = new Uint8Array(rng.int(300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
      } else {
        bytes = valid[rng.int(valid.length)]!.slice(0, 1 + rng.int(256));
        for (let k = rng.int(4); k >= 0; k--)
          if (bytes.length) bytes[rng.int(bytes.length)] = rng.int(256);
      }
      try {
        const f = decodeFrame(bytes, { requireCrc: i % 3 === 0 });
        accepted++;
        expect(f.data.length).toBe(bytes[6]! - 16);
      } catch (e) {
        if (!(e instanceof FrameDecodeError)) throw e;
        names.set(e.name, (names.get(e.name) ?? 0) + 1);
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect([...names.keys()].sort()).toEqual([
      'BadFragmentError',
      'CrcMismatchError',
      'FrameSizeMismatchError',
      'MissingCrcError',
      'TruncatedFrameError',
      'UnknownPacketTypeError',
    ]);
  });
});
