import { describe, expect, it } from 'vitest';
import type { LiveChange } from '../ingest.ts';
import { NOTIFY_LIMIT_BYTES, liveNotice, readBody, readNotice, refPayload } from './live-notice.ts';

describe('live notices', () => {
  it('sends small batches inline and reads them back', () => {
    const changes: LiveChange[] = [{ type: 'node', node: 'n1' }];
    const n = liveNotice(7, { changes, alerts: [] });
    expect(n.kind).toBe('inline');
    expect(readNotice(n.kind === 'inline' ? n.payload : '')).toEqual({
      from: 7,
      changes,
      alerts: [],
    });
  });

  it('stores batches that would pass the 8,000-byte NOTIFY limit and notifies a reference', () => {
    const changes: LiveChange[] = Array.from({ length: 400 }, (_, i) => ({
      type: 'node',
      node: `node-with-a-long-name-${i}`,
    }));
    const n = liveNotice(7, { changes, alerts: [] });
    expect(n.kind).toBe('stored');
    if (n.kind !== 'stored') return;
    expect(readBody(n.body)).toEqual({ changes, alerts: [] });
    const ref = refPayload(7, '42');
    expect(Buffer.byteLength(ref)).toBeLessThan(NOTIFY_LIMIT_BYTES);
    expect(readNotice(ref)).toEqual({ from: 7, ref: '42' });
  });

  it('counts bytes, not characters', () => {
    // 3,000 three-byte characters: 3,000 characters but 9,000 bytes.
    const n = liveNotice(1, { changes: [{ type: 'node', node: '€'.repeat(3000) }], alerts: [] });
    expect(n.kind).toBe('stored');
  });

  it('ignores payloads that are not notices', () => {
    expect(readNotice('not json')).toBeUndefined();
    expect(readNotice('{"changes":[]}')).toBeUndefined();
    expect(readNotice(undefined)).toBeUndefined();
  });
});
