import { describe, expect, it } from 'vitest';
import type { NodeState } from '../../mqtt/messages.ts';
import { DEFAULT_LINK_RULE } from './alert-rule-options.ts';
import { LinkDegradedRule } from './link-degraded-rule.ts';

function state(node: string, peer: string, tq: number, loss?: number): NodeState {
  return {
    node,
    at: 0,
    uptime_s: 100,
    role: 'mesh',
    wans: [],
    gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
    neighbours: [{ node: peer, tq, last_seen_ms: 100, ...(loss !== undefined ? { loss } : {}) }],
  };
}

/** Both ends report every `every` ms with the given figures, from `from` to `to`. */
function drive(
  rule: LinkDegradedRule,
  from: number,
  to: number,
  tq: number,
  loss: number | undefined,
  every = 1000,
) {
  const ops = [];
  for (let t = from; t < to; t += every) {
    ops.push(...rule.onState(state('a', 'b', tq, loss), t).map((op) => ({ t, ...op })));
    ops.push(...rule.onState(state('b', 'a', tq, loss), t + every / 2).map((op) => ({ t, ...op })));
  }
  return ops;
}

describe('LinkDegradedRule', () => {
  it('opens after the loss held for openAfterMs and closes after it stayed good for closeAfterMs', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
    expect(drive(rule, 0, 10_000, 240, 0)).toEqual([]);
    const opened = drive(rule, 10_000, 20_000, 240, 0.5);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      t: 12_000,
      op: 'open',
      alert: { key: 'link-degraded:a|b', kind: 'link-degraded', severity: 'warning' },
      related: ['a', 'b'],
    });
    // Between the thresholds (hysteresis): neither reopens nor closes.
    expect(drive(rule, 20_000, 40_000, 240, 0.2)).toEqual([]);
    const closed = drive(rule, 40_000, 60_000, 240, 0);
    expect(closed).toEqual([{ t: 46_000, op: 'close', key: 'link-degraded:a|b' }]);
  });

  it('does not open on a bad moment shorter than openAfterMs', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
    drive(rule, 0, 5_000, 240, 0);
    expect(drive(rule, 5_000, 6_000, 240, 0.5)).toEqual([]);
    expect(drive(rule, 6_000, 20_000, 240, 0)).toEqual([]);
  });

  it('uses the worse direction: a link bad one way only opens, and TQ alone opens too', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
    const ops = [];
    for (let t = 0; t < 5_000; t += 1000) {
      ops.push(...rule.onState(state('a', 'b', 240, 0.75), t));
      ops.push(...rule.onState(state('b', 'a', 240, 0), t + 500));
    }
    expect(ops.map((o) => o.op)).toEqual(['open']);
    const byTq = new LinkDegradedRule(DEFAULT_LINK_RULE);
    expect(drive(byTq, 0, 5_000, 90, undefined).map((o) => o.op)).toEqual(['open']);
    // A TQ of 0 means "no figure yet" (a booting node), not a dead link.
    expect(drive(new LinkDegradedRule(DEFAULT_LINK_RULE), 0, 5_000, 0, 0)).toEqual([]);
  });

  it('leaves the links of a node that just booted alone until its boot grace is over', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
    const ops = [];
    for (let t = 100_000; t < 130_000; t += 1000) {
      const uptime = (t - 100_000) / 1000;
      const a = rule.onState({ ...state('a', 'b', 60, 0), uptime_s: uptime }, t);
      const b = rule.onState(state('b', 'a', 60, 0), t + 500);
      ops.push(...[...a, ...b].map((op) => ({ t, op: op.op })));
    }
    // Grace until a is 20 s up (t = 120 s), then the 2 s hold.
    expect(ops).toEqual([{ t: 122_000, op: 'open' }]);
  });

  it('closes the alerts of a node that went offline and does not judge its links meanwhile', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE);
    drive(rule, 0, 5_000, 240, 0.5);
    expect(rule.onStatus('b', false)).toEqual([{ op: 'close', key: 'link-degraded:a|b' }]);
    const ops = [];
    for (let t = 5_000; t < 15_000; t += 1000)
      ops.push(...rule.onState(state('a', 'b', 240, 1), t));
    expect(ops).toEqual([]);
  });

  it('takes over the alerts a previous run left open', () => {
    const rule = new LinkDegradedRule(DEFAULT_LINK_RULE, ['link-degraded:a|b', 'node-offline:a']);
    expect(drive(rule, 0, 10_000, 240, 0)).toEqual([
      { t: 6_000, op: 'close', key: 'link-degraded:a|b' },
    ]);
  });
});
