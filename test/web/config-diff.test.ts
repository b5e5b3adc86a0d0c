import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configDiff, formatPath, parsePath, setAtPath } from '../../web/src/lib/config-diff.ts';

describe('configDiff', () => {
  it('lists changed, added and removed leaves with dotted paths', () => {
    const from = { members: [{ wan: 'wan', weight: 3 }], vlans: [10], mode: 'balance', old: 1 };
    const to = { members: [{ wan: 'wan', weight: 5 }], vlans: [10, 30], mode: 'balance', new: 2 };
    expect(configDiff(from, to)).toEqual([
      { path: 'members[0].weight', from: 3, to: 5 },
      { path: 'new', from: undefined, to: 2 },
      { path: 'old', from: 1, to: undefined },
      { path: 'vlans[1]', from: undefined, to: 30 },
    ]);
  });

  it('treats a change of type as one replaced value', () => {
    expect(configDiff({ a: [1] }, { a: { 0: 1 } })).toEqual([
      { path: 'a', from: [1], to: { 0: 1 } },
    ]);
    expect(configDiff(1, 'x')).toEqual([{ path: '(root)', from: 1, to: 'x' }]);
  });

  it('finds nothing between equal documents and something between different ones', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(configDiff(a, structuredClone(a))).toEqual([]);
        const same = JSON.stringify(a) === JSON.stringify(b);
        if (!same) expect(configDiff(a, b).length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('setAtPath', () => {
  it('replaces one leaf in a copy and leaves the original alone', () => {
    const root = { members: [{ weight: 1 }, { weight: 2 }], x: { y: 1 } };
    const next = setAtPath(root, ['members', 1, 'weight'], 7);
    expect(next).toEqual({ members: [{ weight: 1 }, { weight: 7 }], x: { y: 1 } });
    expect(root.members[1]!.weight).toBe(2);
    expect((next as typeof root).x).toBe(root.x);
  });

  it('round-trips with configDiff: applying each change turns from into to', () => {
    const from = { a: { b: 1, c: [1, 2] }, d: 'x' };
    const to = { a: { b: 2, c: [1, 5] }, d: 'y' };
    let cur: unknown = from;
    for (const d of configDiff(from, to)) cur = setAtPath(cur, parsePath(d.path), d.to);
    expect(JSON.parse(JSON.stringify(cur))).toEqual({ a: { b: 2, c: [1, 5] }, d: 'y' });
  });
});

describe('paths', () => {
  it('are written as the controller writes them and read back', () => {
    expect(formatPath(['members', 0, 'weight'])).toBe('members[0].weight');
    expect(formatPath([])).toBe('(root)');
    expect(formatPath([2, 'a'])).toBe('[2].a');
    expect(parsePath('members[0].weight')).toEqual(['members', 0, 'weight']);
    expect(parsePath('(root)')).toEqual([]);
  });

  it('round-trip for any keys without dots or brackets', () => {
    const key = fc.oneof(fc.nat({ max: 50 }), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/));
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 6 }), (path) => {
        expect(parsePath(formatPath(path))).toEqual(path);
      }),
    );
  });
});
