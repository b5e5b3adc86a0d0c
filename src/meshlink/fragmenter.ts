/**
 * Splits a message into fragment payloads sized by the medium's MTU: an nRF24's 32-byte frame
 * leaves 16 data bytes, a 255-byte medium the seed's 239. At most 255 fragments.
 *
 * @example
 * fragmentPayloads(new Uint8Array(40), 32).map((p) => p.length); // [16, 16, 8]
 */
import { HEADER_SIZE, MAX_FRAME_SIZE } from './frame-codec.ts';
import { MessageTooLargeError, MtuTooSmallError } from './errors.ts';

export const MAX_FRAGMENTS = 255;

/** Data bytes one frame carries on a medium of `mtu` bytes. */
export function fragmentPayloadSize(mtu: number): number {
  const frame = Math.min(mtu, MAX_FRAME_SIZE);
  if (!Number.isInteger(mtu) || frame <= HEADER_SIZE) throw new MtuTooSmallError(mtu);
  return frame - HEADER_SIZE;
}

/** Largest message a medium of `mtu` bytes carries. */
export function maxMessageSize(mtu: number): number {
  return fragmentPayloadSize(mtu) * MAX_FRAGMENTS;
}

/** The payload of each fragment, in order; an empty message is one empty fragment. */
export function fragmentPayloads(message: Uint8Array, mtu: number): Uint8Array[] {
  const chunk = fragmentPayloadSize(mtu);
  const max = chunk * MAX_FRAGMENTS;
  if (message.length > max) throw new MessageTooLargeError(message.length, max);
  if (message.length === 0) return [message];
  const out: Uint8Array[] = [];
  for (let off = 0; off < message.length; off += chunk) {
    out.push(message.subarray(off, Math.min(off + chunk, message.length)));
  }
  return out;
}
