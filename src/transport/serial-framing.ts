/**
 * How frames travel over a serial byte stream: `00 | COBS(payload ‖ CRC-16 big-endian) | 00`.
 *
 * COBS rather than SLIP: its overhead is bounded (2 bytes for a 255-byte frame, where SLIP can
 * double it), an empty frame is distinct from idle delimiters, and after noise the receiver
 * resynchronises at the very next 0x00 with no escape state to get confused. The CRC catches
 * noise that decodes as valid COBS; the leading delimiter cuts off noise that arrived before
 * the frame, so it costs that noise, not the frame.
 *
 * @example
 * const wire = encodeSerialFrame(Uint8Array.of(1, 2, 3));
 * const deframer = new SerialDeframer(255, (frame) => console.log(frame)); // 01 02 03
 * deframer.push(wire.subarray(0, 2));
 * deframer.push(wire.subarray(2));
 */
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.ts';
import { crc16 } from '../core/crc16.ts';

export const SERIAL_DELIMITER = 0x00;

export function encodeSerialFrame(payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(payload.length + 2);
  body.set(payload);
  const crc = crc16(payload);
  body[payload.length] = crc >> 8;
  body[payload.length + 1] = crc & 0xff;
  const encoded = cobsEncode(body);
  const wire = new Uint8Array(encoded.length + 2);
  wire.set(encoded, 1);
  return wire; // both ends are already SERIAL_DELIMITER
}

export interface DeframerCounters {
  /** Frames whose encoded or decoded size exceeded the MTU. */
  oversize: number;
  /** Blocks that were not valid COBS or failed the CRC. */
  corrupt: number;
}

/** Incremental receiver: feed it chunks as they come, it calls `onFrame` per valid frame. */
export class SerialDeframer {
  readonly counters: DeframerCounters = { oversize: 0, corrupt: 0 };
  private readonly block: Uint8Array;
  private length = 0;
  /** Set while skipping the rest of an oversize frame, up to the next delimiter. */
  private discarding = false;

  constructor(
    readonly mtu: number,
    private readonly onFrame: (frame: Uint8Array) => void,
  ) {
    this.block = new Uint8Array(cobsMaxEncodedLength(mtu + 2));
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const end = chunk.indexOf(SERIAL_DELIMITER, i);
      const stop = end === -1 ? chunk.length : end;
      this.append(chunk, i, stop);
      if (end === -1) return;
      this.endOfBlock();
      i = end + 1;
    }
  }

  /** Forgets a partial frame, e.g. when the port is reopened. */
  reset(): void {
    this.length = 0;
    this.discarding = false;
  }

  private append(chunk: Uint8Array, start: number, stop: number): void {
    if (this.discarding || start === stop) return;
    const n = stop - start;
    if (this.length + n > this.block.length) {
      this.discarding = true;
      return;
    }
    this.block.set(chunk.subarray(start, stop), this.length);
    this.length += n;
  }

  private endOfBlock(): void {
    if (this.discarding) {
      this.counters.oversize++;
      this.reset();
      return;
    }
    if (this.length === 0) return; // idle delimiters between frames
    const body = cobsDecode(this.block.subarray(0, this.length));
    this.length = 0;
    if (body === undefined || body.length < 2) {
      this.counters.corrupt++;
      return;
    }
    const size = body.length - 2;
    if (size > this.mtu) {
      this.counters.oversize++;
      return;
    }
    if (crc16(body, 0, size) !== ((body[size]! << 8) | body[size + 1]!)) {
      this.counters.corrupt++;
      return;
    }
    // cobsDecode returned a fresh buffer, so the listener may keep this view.
    this.onFrame(body.subarray(0, size));
  }
}
