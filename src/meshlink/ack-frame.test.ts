import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ackFor, ackedFrameKey } from './ack-frame.ts';
import { frameKey } from './duplicate-filter.ts';
import { decodeFrame, emptyFrame, encodeFrame } from './frame-codec.ts';
import { PacketType } from './packet-type.ts';
import { nextSequence } from './sequence.ts';

describe('ACK frames', () => {
  it('name exactly the frame they acknowledge, through the wire', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 255 }),
        fc.uint8Array({ maxLength: 16 }),
        (src, dst, sequence, fragment, data) => {
          const bytes = encodeFrame({
            ...emptyFrame(),
            src,
            dst,
            type: PacketType.Data,
            sequence,
            fragment,
            fragments: 255,
            data,
          });
          const frame = decodeFrame(bytes);
          const ack = decodeFrame(encodeFrame(ackFor(frame, 7, 3)), { requireCrc: true });
          expect(ack).toMatchObject({ src: 7, dst: 3, hop: 3, type: PacketType.Ack });
          expect(ack.response).toBe(nextSequence(sequence, fragment));
          expect(ackedFrameKey(ack)).toBe(frameKey(frame));
        },
      ),
    );
  });

  it('name nothing when their data is too short', () => {
    expect(ackedFrameKey({ ...emptyFrame(), type: PacketType.Ack, data: new Uint8Array(6) })).toBe(
      undefined,
    );
  });
});
