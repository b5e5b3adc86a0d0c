import { describe, expect, it } from 'vitest';
import { fragmentPayloadSize, fragmentPayloads, maxMessageSize } from './fragmenter.ts';

describe('fragmenter', () => {
  it('follows the MTU: 16 data bytes on nRF24, the seed 239 on a 255-byte medium', () => {
    expect(fragmentPayloadSize(32)).toBe(16);
    expect(fragmentPayloadSize(255)).toBe(239);
    expect(fragmentPayloadSize(1500)).toBe(239);
    expect(maxMessageSize(255)).toBe(239 * 255);
  });

  it('splits in order and refuses more than 255 fragments or a useless MTU', () => {
    const msg = Uint8Array.from({ length: 40 }, (_, i) => i);
    const parts = fragmentPayloads(msg, 32);
    expect(parts.map((p) => p.length)).toEqual([16, 16, 8]);
    expect(parts[2]![0]).toBe(32);
    expect(fragmentPayloads(new Uint8Array(16 * 255), 32)).toHaveLength(255);
    expect(() => fragmentPayloads(new Uint8Array(16 * 255 + 1), 32)).toThrow(
      expect.objectContaining({ name: 'MessageTooLargeError' }),
    );
    expect(() => fragmentPayloadSize(16)).toThrow(
      expect.objectContaining({ name: 'MtuTooSmallError' }),
    );
  });
});
