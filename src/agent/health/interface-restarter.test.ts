import { describe, expect, it } from 'vitest';
import { InterfaceRestarter } from './interface-restarter.ts';

describe('InterfaceRestarter', () => {
  it('restarts after N failures, then backs off exponentially, and resets when healthy', () => {
    const r = new InterfaceRestarter({
      node: 'n1',
      iface: 'wan',
      maxFailures: 3,
      backoffBaseMs: 1000,
      backoffMaxMs: 4000,
      resetAfterMs: 10_000,
    });
    const restarts: number[] = [];
    // A check every 100 ms, failing for 20 s.
    for (let t = 0; t < 20_000; t += 100) if (r.onCheck(false, t).restart) restarts.push(t);
    // 3rd failure at 200; then 3 more failures once past each backoff: 1000, 2000, 4000, 4000 (cap).
    expect(restarts).toEqual([200, 1200, 3200, 7200, 11_200, 15_200, 19_200]);
    const first = new InterfaceRestarter({ node: 'n1', iface: 'wan', maxFailures: 1 }).onCheck(
      false,
      5,
    ).events[0];
    expect(first).toMatchObject({
      kind: 'interface-restart',
      subject: 'wan',
      reason: '1 failed checks in a row; restart 1, next one not before 30005',
    });
    for (let t = 20_000; t <= 30_000; t += 100) r.onCheck(true, t);
    expect(r.restartCount).toBe(0);
  });

  it('a success in between resets the failure count', () => {
    const r = new InterfaceRestarter({ node: 'n1', iface: 'wan', maxFailures: 3 });
    expect(
      [
        r.onCheck(false, 0),
        r.onCheck(false, 1),
        r.onCheck(true, 2),
        r.onCheck(false, 3),
        r.onCheck(false, 4),
      ].some((x) => x.restart),
    ).toBe(false);
    expect(r.onCheck(false, 5).restart).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => new InterfaceRestarter({ node: 'n', iface: 'w', maxFailures: 0 })).toThrow(
      expect.objectContaining({ name: 'HealthConfigError', path: 'maxFailures' }),
    );
  });
});
