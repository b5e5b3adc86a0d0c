import { describe, expect, it } from 'vitest';
import type { NodeEventMessage } from '../../mqtt/messages.ts';
import { GatewayFlappingRule } from './gateway-flapping-rule.ts';

const select = (node: string, from: string | null, to: string | null): NodeEventMessage => ({
  at: 0,
  node,
  kind: 'gateway-select',
  subject: 'mesh-gateway',
  from,
  to,
  reason: 'test',
});

describe('GatewayFlappingRule', () => {
  const o = { maxChanges: 3, windowMs: 60_000, quietMs: 30_000 };

  it('does not count the first choice, a release, or the return after a gateway died', () => {
    const rule = new GatewayFlappingRule(o);
    const seen: [string | null, string | null][] = [
      [null, 'n0'], // boot
      ['n0', null], // n0 died: released
      [null, 'n5'], // healed: one switch
      ['n5', 'n0'], // n0 back and better: a second
      ['n0', null], // n0 rebooted
      [null, 'n0'], // and is back: the same gateway, no switch
    ];
    seen.forEach(([f, t], i) => expect(rule.onEvent(select('n7', f, t), i * 5_000)).toEqual([]));
    // Two real switches so far: two more within the window make it flapping.
    expect(rule.onEvent(select('n7', 'n0', 'n5'), 31_000)).toEqual([]);
    expect(rule.onEvent(select('n7', 'n5', 'n0'), 32_000)).toEqual([
      expect.objectContaining({ op: 'open' }),
    ]);
  });

  it('opens on the change that exceeds maxChanges within the window, naming the gateways', () => {
    const rule = new GatewayFlappingRule(o);
    const moves: [string, string][] = [
      ['n0', 'n5'],
      ['n5', 'n0'],
      ['n0', 'n5'],
    ];
    moves.forEach(([f, t], i) => expect(rule.onEvent(select('n7', f, t), i * 10_000)).toEqual([]));
    const ops = rule.onEvent(select('n7', 'n5', 'n18'), 30_000);
    expect(ops).toEqual([
      {
        op: 'open',
        alert: expect.objectContaining({
          key: 'gateway-flapping:n7',
          node: 'n7',
          kind: 'gateway-flapping',
          message: 'n7 changed its gateway 4 times in 1 min (between n0, n18, n5)',
        }),
        related: ['n0', 'n18', 'n5'],
      },
    ]);
    // Quiet for less than quietMs: stays open; then closes.
    expect(rule.onTick('n7', 50_000)).toEqual([]);
    expect(rule.onTick('n7', 60_000)).toEqual([{ op: 'close', key: 'gateway-flapping:n7' }]);
  });

  it('does not count changes spread over more than the window, nor other events', () => {
    const rule = new GatewayFlappingRule(o);
    for (let i = 0; i < 8; i++)
      expect(
        rule.onEvent(select('n7', i % 2 ? 'n0' : 'n5', i % 2 ? 'n5' : 'n0'), i * 25_000),
      ).toEqual([]);
    expect(rule.onEvent({ ...select('n7', 'a', 'b'), kind: 'wan-state' }, 200_000)).toEqual([]);
  });
});
