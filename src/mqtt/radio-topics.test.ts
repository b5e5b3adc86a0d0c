import { describe, expect, it } from 'vitest';
import { decodeRadioMessage } from './radio-messages.ts';
import { parseRadioTopic, radioNodeTopic, radioTopic } from './radio-topics.ts';

describe('radio topics', () => {
  it('builds and parses every channel, node topics with their address', () => {
    expect(radioTopic('lab', 'field', 'gw-1', 'command/result')).toBe(
      'intelli-mesh/lab/radio/field/gw-1/command/result',
    );
    expect(parseRadioTopic(radioNodeTopic('lab', 'field', 'gw-1', 69))).toEqual({
      site: 'lab',
      network: 'field',
      gateway: 'gw-1',
      channel: 'node',
      address: 69,
    });
    expect(parseRadioTopic('intelli-mesh/lab/radio/field/gw-1/status')?.channel).toBe('status');
  });

  it('refuses malformed topics and names', () => {
    for (const t of [
      'intelli-mesh/lab/radio/field/gw-1/node',
      'intelli-mesh/lab/radio/field/gw-1/node/0',
      'intelli-mesh/lab/radio/field/gw-1/node/65536',
      'intelli-mesh/lab/radio/field/gw-1/node/007',
      'intelli-mesh/lab/radio/field/gw-1/node/69/x',
      'intelli-mesh/lab/radio/field/gw-1/other',
      'intelli-mesh/lab/radio/+/gw-1/status',
      'intelli-mesh/lab/node/gw-1/status',
    ])
      expect(parseRadioTopic(t), t).toBeUndefined();
    expect(() => radioTopic('lab', 'a/b', 'gw-1', 'status')).toThrow(/network name 'a\/b'/);
  });

  it('validates payloads with the path of the fault', () => {
    const bad = decodeRadioMessage('command', '{"id":"c1","kind":"scan","address":5,"depth":40}');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/^depth: /);
    const hex = decodeRadioMessage(
      'command',
      '{"id":"c1","kind":"send","address":5,"bytes_hex":"abc"}',
    );
    expect(!hex.ok && hex.error).toMatch(/bytes_hex: expected hex digits/);
    expect(decodeRadioMessage('status', 'nope').ok).toBe(false);
  });
});
