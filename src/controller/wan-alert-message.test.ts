import { describe, expect, it } from 'vitest';
import type { NodeState, WanReport } from '../mqtt/messages.ts';
import { alertOps } from './alert-rules.ts';

function stateWith(wan: Partial<WanReport>): NodeState {
  return {
    node: 'gw',
    at: 1,
    uptime_s: 1,
    role: 'gateway',
    wans: [{ name: 'wan', kind: 'ethernet', state: 'up', active: true, ...wan }],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
  };
}

const opened = (wan: Partial<WanReport>) =>
  alertOps({ channel: 'state', message: stateWith(wan) }).flatMap((o) =>
    o.op === 'open' ? [o.alert] : [],
  );

describe('WAN alerts quote what caused them', () => {
  it('a failing WAN: the loss and the missing replies it measured', () => {
    expect(
      opened({ state: 'degraded', status: 'disconnecting', latency_ms: null, loss: 1 }),
    ).toContainEqual(
      expect.objectContaining({
        kind: 'wan-degraded',
        message: 'WAN wan on gw is degraded (100% loss, no reply)',
      }),
    );
  });

  it('a recovering WAN opens no degraded alert and keeps its outage open', () => {
    const ops = alertOps({
      channel: 'state',
      message: stateWith({ state: 'degraded', status: 'connecting', latency_ms: 90, loss: 0 }),
    });
    expect(ops.filter((o) => o.op === 'open')).toEqual([]);
    expect(ops).not.toContainEqual({ op: 'close', key: 'wan-down:gw:wan' });
    expect(ops).toContainEqual({ op: 'close', key: 'wan-degraded:gw:wan' });
  });
});
