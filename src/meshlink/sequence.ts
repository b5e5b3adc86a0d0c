/**
 * The seed's sequence numbers: a random first value, then `nextSequence(value, n)` =
 * `(value + n) XOR NETWORK_KEY` on one byte. A reply carries `response = nextSequence(seq, 1)`
 * (a PONG answering a PING) so only a node that saw the request can forge the answer easily.
 *
 * @example
 * nextSequence(0x10, 1); // (0x11 ^ 0xAE) = 0xBF
 * const gen = new SequenceGenerator(seededRandom(1)); gen.next(); // first value is random
 */
import type { Random } from '../core/random.ts';

export const NETWORK_KEY = 0xae;

/** The seed's `nextSequence` for packet_number > 0 (0 means "pick a random start", see below). */
export function nextSequence(value: number, packetNumber: number): number {
  return ((value + packetNumber) & 0xff) ^ NETWORK_KEY;
}

/**
 * The sequence a node stamps on each new message. `nextSequence(v, 1)` visits all 256 values
 * before repeating, so consecutive messages never share a sequence within 256 messages.
 */
export class SequenceGenerator {
  private value: number;

  constructor(random: Random) {
    // The seed's `random() % 255`: a start in 0..254.
    this.value = random.int(255);
  }

  next(): number {
    const v = this.value;
    this.value = nextSequence(v, 1);
    return v;
  }
}
