import { describe, expect, it } from 'vitest';
import type { NodeState } from '../mqtt/messages.ts';
import { nodeView, STATE_STALE_AFTER_MS } from './node-view.ts';
import { siteOverview } from './site-overview.ts';
import type { NodeRecord } from './store/records.ts';

function record(node: string, online: boolean, stateAt: number | null, wans = 1): NodeRecord {
  const state: NodeState | null =
    stateAt === null
      ? null
      : {
          node,
          at: stateAt,
          uptime_s: 1,
          role: wans > 0 ? 'gateway' : 'mesh',
          wans: Array.from({ length: wans }, (_, i) => ({
            name: `wan${i}`,
            kind: 'ethernet' as const,
            state: 'up' as const,
            active: true,
          })),
          gateway: {
            announcing: wans > 0,
            bandwidth_down_kbit: 1,
            bandwidth_up_kbit: 1,
            selected: null,
          },
          neighbours: [],
        };
  return { node, site: 'lab', first_seen: 0, last_seen: 0, online, state, state_at: stateAt };
}

describe('nodeView', () => {
  const now = 1_000_000;
  it('dates the state and says whether it is live, stale or last known', () => {
    expect(nodeView(record('a', true, now - 2_000), now)).toMatchObject({
      state_age_ms: 2_000,
      state_freshness: 'live',
    });
    expect(nodeView(record('a', true, now - STATE_STALE_AFTER_MS - 1), now)).toMatchObject({
      state_freshness: 'stale',
    });
    expect(nodeView(record('a', false, now - 2_000), now)).toMatchObject({
      state_age_ms: 2_000,
      state_freshness: 'last-known',
    });
    expect(nodeView(record('a', true, null), now)).toMatchObject({
      state_age_ms: null,
      state_freshness: null,
    });
    // A node clock ahead of the controller's gives age 0, not a negative one.
    expect(nodeView(record('a', true, now + 500), now).state_age_ms).toBe(0);
  });
});

describe('siteOverview', () => {
  it('counts a dead gateway’s WANs in the total, as not up, and says where they are', () => {
    const now = 1_000_000;
    const nodes = [
      record('gw1', true, now, 2),
      record('gw2', true, now - STATE_STALE_AFTER_MS - 1, 3),
      record('gw3', false, now - 60_000, 1),
      record('m1', true, now, 0),
      record('m2', false, null, 0),
    ].map((r) => nodeView(r, now));
    expect(siteOverview(nodes)).toEqual({
      nodes_total: 5,
      nodes_online: 3,
      nodes_stale: 1,
      gateways: 3,
      gateways_announcing: 2,
      wans_total: 6,
      wans_up: 5,
      wans_on_offline_nodes: 1,
    });
  });
});
