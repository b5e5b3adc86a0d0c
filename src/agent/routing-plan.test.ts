import { describe, expect, it } from 'vitest';
import { MultiWanPolicy } from './policy/multi-wan-policy.ts';
import { parsePolicyConfig } from './policy/policy-config.ts';
import { toRoutingPlan } from './routing-plan.ts';

const config = parsePolicyConfig({
  members: [
    { name: 'fiber_m1', wan: 'fiber', metric: 1, weight: 3 },
    { name: 'lte_m1', wan: 'lte', metric: 1, weight: 1 },
  ],
  policies: [{ name: 'balanced', members: ['fiber_m1', 'lte_m1'], lastResort: 'mesh' }],
  rules: [
    { name: 'https', destIp: '0.0.0.0/0', proto: 'tcp', destPort: 443, policy: 'balanced' },
    { name: 'default', srcZone: 'lan', policy: 'balanced' },
  ],
});

function plan(usable: Record<string, boolean>, meshRoute = false) {
  const u = new Map(Object.entries(usable));
  const policy = new MultiWanPolicy({ node: 'n1', config, holdDownMs: 0 });
  const { state } = policy.decide({ now: 0, usable: u, meshGateway: meshRoute ? 'gw' : null });
  return toRoutingPlan(
    config,
    state,
    {
      zones: { lan: ['br-lan'] },
      meshRoute: () => (meshRoute ? { via: '10.99.0.1', device: 'br-lan' } : null),
    },
    u,
  );
}

describe("the node's own traffic in the routing plan", () => {
  it('follows the first catch-all rule (its zone aside) through its heaviest WAN', () => {
    expect(plan({ fiber: true, lte: true }).local).toEqual({ kind: 'wan', wan: 'fiber' });
    expect(plan({ fiber: false, lte: true }).local).toEqual({ kind: 'wan', wan: 'lte' });
  });

  it('goes to the mesh gateway when the rule falls back to it, else to the main table', () => {
    expect(plan({ fiber: false, lte: false }, true).local).toEqual({ kind: 'mesh' });
    expect(plan({ fiber: false, lte: false }, false).local).toBeNull();
  });
});
