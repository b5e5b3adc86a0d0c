/**
 * The hop-by-hop acknowledgement: an ACK (type 1) sent straight back to the neighbour that handed
 * us a frame (`hop = dst`, so nobody relays it). Its `response` is the seed's
 * `nextSequence(sequence, fragment)` and its data names the frame: src u16, dst u16, type u8,
 * crc u16 — the frame's identity as the duplicate filter sees it.
 *
 * @example
 * const ack = ackFor(frame, 2, 1); // node 2 acknowledges a frame node 1 handed it
 * ackedFrameKey(ack) === frameKey(frame); // true
 */
import type { Frame } from './frame-codec.ts';
import { PacketType } from './packet-type.ts';
import { NETWORK_KEY, nextSequence } from './sequence.ts';

const ACK_DATA_SIZE = 7;

export function ackFor(f: Frame, self: number, transmitter: number): Frame {
  const data = new Uint8Array(ACK_DATA_SIZE);
  data[0] = f.src & 0xff;
  data[1] = f.src >>> 8;
  data[2] = f.dst & 0xff;
  data[3] = f.dst >>> 8;
  data[4] = f.type;
  data[5] = f.crc & 0xff;
  data[6] = f.crc >>> 8;
  const response = nextSequence(f.sequence, f.fragment);
  return {
    src: self,
    dst: transmitter,
    hop: transmitter,
    type: PacketType.Ack,
    sequence: nextSequence(response, 2),
    response,
    crc: 0,
    fragment: f.fragment,
    fragments: f.fragments,
    attempt: f.attempt,
    hops: 0,
    data,
  };
}

/** The identity (see duplicate-filter.ts) of the frame an ACK acknowledges, if it names one. */
export function ackedFrameKey(ack: Frame): string | undefined {
  const d = ack.data;
  if (d.length < ACK_DATA_SIZE) return undefined;
  // Invert response = nextSequence(sequence, fragment) to recover the frame's sequence.
  const sequence = ((ack.response ^ NETWORK_KEY) - ack.fragment) & 0xff;
  const src = d[0]! | (d[1]! << 8);
  const dst = d[2]! | (d[3]! << 8);
  const crc = d[5]! | (d[6]! << 8);
  return `${src}:${dst}:${d[4]!}:${sequence}:${ack.fragment}:${crc}`;
}
