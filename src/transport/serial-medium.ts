/**
 * A point-to-point medium over a byte stream, for a USB radio dongle: frames are COBS-framed
 * with a CRC (see serial-framing.ts). It works over any Node Duplex, so tests run it over an
 * in-memory pair; `openSerialMedium` opens a real device with the serialport package.
 *
 * @example
 * const dongle = await openSerialMedium({ path: '/dev/ttyUSB0', baudRate: 115200 });
 * dongle.onFrame((frame, from) => console.log(from, frame)); // "/dev/ttyUSB0", Uint8Array
 * dongle.send(Uint8Array.of(1, 2, 3));
 * await dongle.close();
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { ClosedError, FrameTooLargeError } from '../core/errors.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { FrameListener, LinkPeer, Medium } from '../core/medium.ts';
import { InvalidMediumOptionError, SerialOpenError, UnknownPeerError } from './errors.ts';
import { ListenerSet } from './listener-set.ts';
import type { MediumCounters } from './medium-counters.ts';
import { encodeSerialFrame, SerialDeframer } from './serial-framing.ts';

export const SERIAL_DEFAULT_MTU = 255;
export const SERIAL_DEFAULT_BAUD_RATE = 115_200;

export interface SerialMediumOptions {
  /** The name of the one peer on the other end: `from` of every frame, the only valid `to`. */
  peer: LinkPeer;
  /** Largest frame sent or accepted. @default 255 */
  mtu?: number;
  /** Receives stream errors. @default silentLogger */
  logger?: Logger;
}

export interface OpenSerialOptions extends Partial<SerialMediumOptions> {
  /** Device path, e.g. /dev/ttyUSB0; also the default `peer` name. */
  path: string;
  /** @default 115200 */
  baudRate?: number;
}

export interface SerialCounters extends MediumCounters {
  /** Frames over the MTU, dropped at the receiver. */
  oversize: number;
  /** Blocks that were not valid COBS or failed the CRC. */
  corrupt: number;
}

export interface SerialMedium extends Medium {
  readonly peer: LinkPeer;
  readonly counters: Readonly<SerialCounters>;
}

function checkMtu(mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 1 || mtu > 0xffff) {
    throw new InvalidMediumOptionError('mtu', mtu, 'an integer in 1..65535');
  }
  return mtu;
}

class StreamMedium implements SerialMedium {
  readonly mtu: number;
  readonly peer: LinkPeer;
  private readonly listeners = new ListenerSet();
  private readonly deframer: SerialDeframer;
  private readonly logger: Logger;
  private readonly stats = { framesIn: 0, framesOut: 0 };
  private closing: Promise<void> | undefined;
  /** Set when the stream ended under us (device unplugged, other side closed). */
  private ended = false;
  private readonly onData = (chunk: Buffer) => {
    if (!this.closing) this.deframer.push(chunk);
  };
  private readonly onError = (error: Error) => {
    this.logger.warn({ err: error, peer: this.peer }, 'serial stream error');
  };
  private readonly onClose = () => {
    this.ended = true;
  };

  constructor(
    private readonly stream: Duplex,
    options: SerialMediumOptions,
  ) {
    this.mtu = checkMtu(options.mtu ?? SERIAL_DEFAULT_MTU);
    this.peer = options.peer;
    this.logger = options.logger ?? silentLogger;
    this.deframer = new SerialDeframer(this.mtu, (frame) => {
      this.stats.framesIn++;
      this.listeners.emit(frame, this.peer);
    });
    stream.on('data', this.onData);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
    stream.on('end', this.onClose);
  }

  get counters(): SerialCounters {
    const { oversize, corrupt } = this.deframer.counters;
    return { ...this.stats, oversize, corrupt, dropped: oversize + corrupt };
  }

  send(frame: Uint8Array, to?: LinkPeer): void {
    if (this.closing) throw new ClosedError(`serial medium to '${this.peer}' is closed`);
    if (this.ended || this.stream.destroyed || !this.stream.writable) {
      throw new ClosedError(`the serial stream to '${this.peer}' has ended`);
    }
    if (frame.length > this.mtu) throw new FrameTooLargeError(frame.length, this.mtu);
    if (to !== undefined && to !== this.peer) throw new UnknownPeerError(to, this.peer);
    this.stats.framesOut++;
    // The stream buffers what the port cannot take yet; a radio dongle drains faster than a
    // mesh node produces frames, so backpressure is left to the stream's own buffer.
    this.stream.write(encodeSerialFrame(frame));
  }

  onFrame(listener: FrameListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.listeners.clear();
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onClose);
    this.stream.off('close', this.onClose);
    if (!this.stream.destroyed) {
      const closed = once(this.stream, 'close').catch(() => undefined);
      this.stream.destroy();
      await closed;
    }
    // Errors raised while tearing down (a port yanked mid-close) are of no use to anyone.
    this.stream.off('error', this.onError);
    this.stream.on('error', () => {});
  }
}

/** A serial medium over any byte stream (a SerialPort, a socket, an in-memory pair). */
export function createSerialMedium(stream: Duplex, options: SerialMediumOptions): SerialMedium {
  return new StreamMedium(stream, options);
}

/** Opens a serial device and resolves with a medium once the port is open. */
export async function openSerialMedium(options: OpenSerialOptions): Promise<SerialMedium> {
  const baudRate = options.baudRate ?? SERIAL_DEFAULT_BAUD_RATE;
  if (!Number.isInteger(baudRate) || baudRate < 1) {
    throw new InvalidMediumOptionError('baudRate', baudRate, 'a positive integer');
  }
  const mtu = checkMtu(options.mtu ?? SERIAL_DEFAULT_MTU);
  // Loaded on first use: the native binding costs ~130 ms and is of no use to the many
  // importers of this folder that only want the memory or UDP medium.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path: options.path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error) reject(new SerialOpenError(options.path, error.message, { cause: error }));
      else resolve();
    });
  });
  return createSerialMedium(port, {
    peer: options.peer ?? options.path,
    mtu,
    logger: options.logger ?? silentLogger,
  });
}
