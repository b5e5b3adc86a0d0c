import { describe, expect, it } from 'vitest';
import { messageId, withFirstIds } from './message-id.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('messageId', () => {
  it('is the same for a redelivery and differs for another message', () => {
    const topic = 'intelli-mesh/lab/node/n1/events';
    const a = messageId(topic, enc('{"at":1}'));
    expect(messageId(topic, enc('{"at":1}')).equals(a)).toBe(true);
    expect(messageId(topic, enc('{"at":2}')).equals(a)).toBe(false);
    expect(messageId('intelli-mesh/lab/node/n2/events', enc('{"at":1}')).equals(a)).toBe(false);
  });

  it('does not confuse where the topic ends and the payload begins', () => {
    expect(messageId('ab', enc('c')).equals(messageId('a', enc('bc')))).toBe(false);
  });

  it('drops repeats within one batch, keeping order', () => {
    const batch = ['x', 'y', 'x', 'z', 'y'].map((p) => ({ topic: 't', payload: enc(p) }));
    const firsts = withFirstIds(batch).map((m) => new TextDecoder().decode(m.message.payload));
    expect(firsts).toEqual(['x', 'y', 'z']);
  });
});
