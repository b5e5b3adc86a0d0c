/**
 * What decides the fate of a frame on a shared in-memory channel: whether a receiver is in reach,
 * whether this copy is lost, and how long it takes. The memory medium uses a simple uniform
 * model; the simulator plugs in its channel (positions, Gilbert-Elliott loss, bandwidth, cuts).
 *
 * @example
 * const model: LinkModel = {
 *   neighbours: (from) => (from === 'a' ? ['b'] : ['a']),
 *   transmit: () => ({ delivered: true, delayMs: 5 }),
 * };
 */
export interface Transmission {
  /** False when this copy is lost on the way. */
  delivered: boolean;
  /** Time from send until the receiver gets the frame (propagation + serialisation + queueing). */
  delayMs: number;
}

export interface LinkModel {
  /** The peers that can hear `from` right now. */
  neighbours(from: string): Iterable<string>;
  /** Decides one copy of a `bytes`-long frame from `from` to `to`, sent at `now`. */
  transmit(from: string, to: string, bytes: number, now: number): Transmission;
}
