import { describe, expect, it } from 'vitest';
import { InvalidTopicNameError, nodeTopic, parseNodeTopic, siteFilter } from './topics.ts';

describe('MQTT topics', () => {
  it('builds and parses node topics symmetrically', () => {
    const t = nodeTopic('lab', 'node-3', 'command/result');
    expect(t).toBe('intelli-mesh/lab/node/node-3/command/result');
    expect(parseNodeTopic(t)).toEqual({ site: 'lab', node: 'node-3', channel: 'command/result' });
    expect(siteFilter('lab')).toBe('intelli-mesh/lab/node/+/#');
  });

  it('rejects names that would inject wildcards or levels', () => {
    for (const bad of ['a/b', '+', '#', '', 'x'.repeat(65), '-lead']) {
      expect(() => nodeTopic('lab', bad, 'state')).toThrow(InvalidTopicNameError);
    }
  });

  it('does not parse foreign or malformed topics', () => {
    expect(parseNodeTopic('other/lab/node/n/state')).toBeUndefined();
    expect(parseNodeTopic('intelli-mesh/lab/node/n/unknown')).toBeUndefined();
    expect(parseNodeTopic('intelli-mesh/lab/nodes/n/state')).toBeUndefined();
    expect(parseNodeTopic('intelli-mesh/lab/node/n')).toBeUndefined();
  });
});
