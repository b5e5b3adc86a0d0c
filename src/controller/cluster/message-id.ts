/**
 * A message's stable id: a hash of its topic and payload. Every report a node sends carries its
 * own timestamp (`at`), so two different messages do not share an id, while a redelivery (the
 * broker resending an unacknowledged message, a survivor replaying its window after a hand-off)
 * has the same one: storing ids with the rows lets a redelivery be recognised and skipped, so a
 * count is never doubled. Works with today's agents unchanged.
 *
 * @example
 * messageId('intelli-mesh/lab/node/n1/events', payload); // 16 bytes
 */
import { createHash } from 'node:crypto';

/** 128 bits of SHA-256: collisions are out of reach for any realistic message count. */
export const MESSAGE_ID_BYTES = 16;

export function messageId(topic: string, payload: Uint8Array): Buffer {
  const hash = createHash('sha256');
  hash.update(topic);
  // A separator no topic contains, so ("a", "bc") and ("ab", "c") differ.
  hash.update('\u0000');
  hash.update(payload);
  return hash.digest().subarray(0, MESSAGE_ID_BYTES);
}

/**
 * The messages of a batch whose id was not seen before in it, with their ids, in order: a
 * redelivery may arrive in the same batch as the original.
 */
export function withFirstIds<T extends { topic: string; payload: Uint8Array }>(
  batch: readonly T[],
): { message: T; id: Buffer }[] {
  const seen = new Set<string>();
  const out: { message: T; id: Buffer }[] = [];
  for (const message of batch) {
    const id = messageId(message.topic, message.payload);
    const key = id.toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ message, id });
  }
  return out;
}
