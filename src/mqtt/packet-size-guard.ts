/**
 * Reads only MQTT fixed headers from a connection's bytes, to refuse a packet by the size it
 * announces before its body is received. The MQTT parser buffers a whole packet before it hands
 * it over, and a CONNECT is parsed before the client is authenticated, so without this anyone
 * who can open a socket could make the broker hold hundreds of megabytes. The first packet (the
 * CONNECT) gets a small bound, every later one the broker's maximum. Sans-IO: the caller feeds
 * the chunks it reads and closes the connection on a violation.
 *
 * @example
 * const guard = new PacketSizeGuard({ maxConnectBytes: 65_536, maxPacketBytes: 263_168 });
 * guard.feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])); // { kind: 'connect', size: 268435460, limit: 65536 }
 */

export interface PacketSizeLimits {
  /** Largest CONNECT (the first packet, read before authentication), header included. */
  maxConnectBytes: number;
  /** Largest later packet, header included. */
  maxPacketBytes: number;
}

/** Why a connection must be closed: the size its next packet announced, or a broken header. */
export type PacketSizeViolation =
  { kind: 'connect' | 'packet'; size: number; limit: number } | { kind: 'malformed' };

/** MQTT's remaining length is 1 to 4 bytes of 7 bits each. */
const MAX_LENGTH_BYTES = 4;

export class PacketSizeGuard {
  /** Body bytes of the current packet still to come; while 0 we are in a fixed header. */
  private toSkip = 0;
  private inHeader = false;
  private lengthBytes = 0;
  private length = 0;
  private multiplier = 1;
  private packets = 0;
  private violation: PacketSizeViolation | undefined;

  constructor(private readonly limits: PacketSizeLimits) {}

  /** Takes the next bytes read; returns the violation once one is seen (and ever after). */
  feed(chunk: Uint8Array): PacketSizeViolation | undefined {
    let i = 0;
    while (i < chunk.length && !this.violation) {
      if (this.toSkip > 0) {
        const n = Math.min(this.toSkip, chunk.length - i);
        this.toSkip -= n;
        i += n;
      } else if (!this.inHeader) {
        // The first byte: packet type and flags, which the parser checks.
        this.inHeader = true;
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        i++;
      } else {
        const byte = chunk[i++]!;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes++;
        if (byte & 0x80) {
          if (this.lengthBytes === MAX_LENGTH_BYTES) this.violation = { kind: 'malformed' };
          continue;
        }
        this.endOfHeader();
      }
    }
    return this.violation;
  }

  private endOfHeader(): void {
    const first = this.packets === 0;
    const limit = first ? this.limits.maxConnectBytes : this.limits.maxPacketBytes;
    const size = 1 + this.lengthBytes + this.length;
    this.packets++;
    this.inHeader = false;
    if (size > limit) {
      this.violation = { kind: first ? 'connect' : 'packet', size, limit };
      return;
    }
    this.toSkip = this.length;
  }
}
