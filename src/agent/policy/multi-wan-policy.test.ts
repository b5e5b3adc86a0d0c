import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultiWanPolicy } from './multi-wan-policy.ts';
import { parsePolicyConfig } from './policy-config.ts';
import { resolvePolicy } from './resolve-policy.ts';

const cfg = parsePolicyConfig({
  members: [
    { name: 'wan1_m1_w3', wan: 'wan1', metric: 1, weight: 3 },
    { name: 'wan2_m1_w1', wan: 'wan2', metric: 1, weight: 1 },
    { name: 'lte_m2', wan: 'lte', metric: 2 },
  ],
  policies: [
    { name: 'balanced', members: ['wan1_m1_w3', 'wan2_m1_w1', 'lte_m2'] },
    { name: 'lte_only', members: ['lte_m2'], lastResort: 'unreachable' },
  ],
  rules: [
    { name: 'iot', srcZone: 'iot', policy: 'lte_only' },
    {
      name: 'https',
      proto: 'tcp',
      destPort: 443,
      sticky: true,
      timeoutMs: 1000,
      policy: 'balanced',
    },
    { name: 'default', destIp: '0.0.0.0/0', policy: 'balanced' },
  ],
});

const usable = (up: string[]) => new Map(['wan1', 'wan2', 'lte'].map((w) => [w, up.includes(w)]));

describe('MultiWanPolicy', () => {
  it('balances by weight within the best metric, fails over by metric, then to the mesh', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg, holdDownMs: 10_000 });
    const d0 = p.decide({ now: 0, usable: usable(['wan1', 'wan2', 'lte']), meshGateway: 'gw-a' });
    expect(d0.state.rules.find((r) => r.rule === 'default')!.target).toEqual({
      kind: 'wans',
      metric: 1,
      shares: [
        { wan: 'wan1', member: 'wan1_m1_w3', weight: 3, share: 0.75 },
        { wan: 'wan2', member: 'wan2_m1_w1', weight: 1, share: 0.25 },
      ],
    });
    expect(d0.state.meshGateway).toBeNull();
    expect(d0.events.map((e) => e.reason)).toEqual([
      'initial decision',
      'initial decision',
      'initial decision',
    ]);

    const d1 = p.decide({ now: 100, usable: usable(['wan2', 'lte']), meshGateway: 'gw-a' });
    expect(d1.flushWans).toEqual(['wan1']);
    const def = d1.events.find((e) => e.subject === 'default')!;
    expect([def.from, def.to, def.reason]).toEqual([
      'wan1 75% + wan2 25% (metric 1)',
      'wan2 100% (metric 1)',
      'wan1 not usable',
    ]);
    expect(d1.events.some((e) => e.kind === 'conntrack-flush' && e.subject === 'wan1')).toBe(true);

    const d2 = p.decide({ now: 200, usable: usable(['lte']), meshGateway: 'gw-a' });
    expect(d2.state.rules.find((r) => r.rule === 'default')!.target).toMatchObject({
      kind: 'wans',
      metric: 2,
    });

    const d3 = p.decide({ now: 300, usable: usable([]), meshGateway: 'gw-a' });
    expect(d3.state.meshGateway).toBe('gw-a');
    expect(d3.state.rules.find((r) => r.rule === 'iot')!.target).toEqual({
      kind: 'last-resort',
      action: 'unreachable',
    });
    expect(d3.events.find((e) => e.kind === 'mesh-default')).toMatchObject({
      from: null,
      to: 'gw-a',
    });
    expect(p.route({ srcIp: '10.0.0.5', destIp: '198.51.100.1', proto: 'udp' }, 300)).toEqual({
      kind: 'mesh',
      gateway: 'gw-a',
      rule: 'default',
    });
  });

  it('holds a recovered WAN down while on the mesh, then fails back', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg, holdDownMs: 10_000 });
    p.decide({ now: 0, usable: usable([]), meshGateway: 'gw-a' });
    const back = p.decide({ now: 1000, usable: usable(['wan1']), meshGateway: 'gw-a' });
    expect(back.state.meshGateway).toBe('gw-a');
    expect(p.nextWakeAt()).toBe(11_000);
    expect(back.events).toEqual([]);
    const still = p.decide({ now: 10_999, usable: usable(['wan1']), meshGateway: 'gw-a' });
    expect(still.state.meshGateway).toBe('gw-a');
    const failback = p.decide({ now: 11_000, usable: usable(['wan1']), meshGateway: 'gw-a' });
    expect(failback.state.meshGateway).toBeNull();
    expect(failback.events.find((e) => e.kind === 'mesh-default')).toMatchObject({
      from: 'gw-a',
      to: null,
      reason: 'local WAN usable again',
    });
    expect(p.nextWakeAt()).toBeUndefined();
  });

  it('does not hold a WAN down when no mesh gateway carried the traffic', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg, holdDownMs: 10_000 });
    p.decide({ now: 0, usable: usable([]), meshGateway: null });
    const back = p.decide({ now: 1000, usable: usable(['wan2']), meshGateway: null });
    expect(back.state.rules.find((r) => r.rule === 'default')!.target).toMatchObject({
      kind: 'wans',
      metric: 1,
    });
  });

  it('keeps sticky sources on their WAN until it dies or they time out', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg });
    p.decide({ now: 0, usable: usable(['wan1', 'wan2']), meshGateway: null });
    const flow = (port: number) => ({
      srcIp: '10.0.0.9',
      destIp: `198.51.100.${port % 250}`,
      proto: 'tcp' as const,
      destPort: 443,
    });
    const first = p.route(flow(1), 0);
    expect(first.kind).toBe('wan');
    const wan = (first as { wan: string }).wan;
    for (let i = 2; i < 50; i++) expect(p.route(flow(i), i)).toMatchObject({ wan });
    const other = wan === 'wan1' ? 'wan2' : 'wan1';
    p.decide({ now: 100, usable: usable([other]), meshGateway: null });
    expect(p.route(flow(1), 101)).toMatchObject({ wan: other });
  });

  it('spreads non-sticky flows roughly by weight', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg });
    p.decide({ now: 0, usable: usable(['wan1', 'wan2']), meshGateway: null });
    let wan1 = 0;
    for (let i = 0; i < 4000; i++) {
      const r = p.route(
        { srcIp: `10.0.${i >> 8}.${i & 255}`, destIp: '198.51.100.1', proto: 'udp' },
        0,
      );
      if (r.kind === 'wan' && r.wan === 'wan1') wan1++;
    }
    expect(wan1 / 4000).toBeGreaterThan(0.7);
    expect(wan1 / 4000).toBeLessThan(0.8);
  });

  it('matches rules by zone, proto and port in order', () => {
    const p = new MultiWanPolicy({ node: 'n1', config: cfg });
    p.decide({ now: 0, usable: usable(['wan1', 'lte']), meshGateway: null });
    expect(
      p.route(
        { srcZone: 'iot', srcIp: '10.9.0.2', destIp: '198.51.100.1', proto: 'tcp', destPort: 443 },
        0,
      ),
    ).toEqual({
      kind: 'wan',
      wan: 'lte',
      rule: 'iot',
    });
    expect(
      p.route({ srcIp: '10.9.0.2', destIp: '198.51.100.1', proto: 'tcp', destPort: 80 }, 0),
    ).toMatchObject({ rule: 'default' });
  });
});

describe('resolvePolicy properties', () => {
  const arbConfig = fc
    .array(
      fc.record({
        wan: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        metric: fc.integer({ min: 1, max: 4 }),
        weight: fc.integer({ min: 1, max: 20 }),
      }),
      {
        minLength: 1,
        maxLength: 8,
      },
    )
    .map((ms) =>
      parsePolicyConfig({
        members: ms.map((m, i) => ({ name: `m${i}`, ...m })),
        policies: [{ name: 'p', members: ms.map((_, i) => `m${i}`) }],
        rules: [],
      }),
    );
  const arbUp = fc.subarray(['a', 'b', 'c', 'd', 'e']);

  it('shares sum to 1, only usable WANs, only the lowest usable metric', () => {
    fc.assert(
      fc.property(arbConfig, arbUp, (config, up) => {
        const policy = config.policies.get('p')!;
        const t = resolvePolicy(policy, config.members, (w) => up.includes(w));
        const live = [...config.members.values()].filter((m) => up.includes(m.wan));
        if (live.length === 0) return t.kind === 'last-resort';
        if (t.kind !== 'wans') return false;
        const sum = t.shares.reduce((s, x) => s + x.share, 0);
        const minMetric = Math.min(...live.map((m) => m.metric));
        return (
          Math.abs(sum - 1) < 1e-9 &&
          t.metric === minMetric &&
          t.shares.every(
            (s) => up.includes(s.wan) && config.members.get(s.member)!.metric === minMetric,
          ) &&
          new Set(t.shares.map((s) => s.wan)).size === t.shares.length
        );
      }),
    );
  });

  it('the policy core never routes a flow to an unusable WAN', () => {
    fc.assert(
      fc.property(
        arbConfig,
        fc.array(arbUp, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(65_535), { minLength: 1, maxLength: 20 }),
        (config, ups, hosts) => {
          const withRule = parsePolicyConfig({
            members: [...config.members.values()],
            policies: [...config.policies.values()],
            rules: [{ name: 'all', sticky: true, policy: 'p' }],
          });
          const p = new MultiWanPolicy({ node: 'n', config: withRule, holdDownMs: 0 });
          return ups.every((up, step) => {
            p.decide({
              now: step,
              usable: new Map(['a', 'b', 'c', 'd', 'e'].map((w) => [w, up.includes(w)])),
              meshGateway: null,
            });
            return hosts.every((h) => {
              const r = p.route(
                {
                  srcIp: `10.1.${h >> 8}.${h & 255}`,
                  destIp: '198.51.100.1',
                  proto: 'tcp',
                  destPort: 80,
                },
                step,
              );
              return r.kind === 'wan' ? up.includes(r.wan) : true;
            });
          });
        },
      ),
    );
  });
});

describe('parsePolicyConfig', () => {
  it.each([
    [{ members: [], policies: [{ name: 'p', members: ['x'] }], rules: [] }, 'policies.0.members.0'],
    [{ members: [], policies: [], rules: [{ name: 'r', policy: 'nope' }] }, 'rules.0.policy'],
    [
      { members: [{ name: 'm', wan: 'w', metric: 0 }], policies: [], rules: [] },
      'members.0.metric',
    ],
    [
      {
        members: [
          { name: 'm', wan: 'w' },
          { name: 'm', wan: 'v' },
        ],
        policies: [],
        rules: [],
      },
      'members.1.name',
    ],
    [
      {
        members: [{ name: 'm', wan: 'w' }],
        policies: [{ name: 'p', members: ['m'] }],
        rules: [{ name: 'r', destIp: '300.1.1.1/8', policy: 'p' }],
      },
      'rules.0',
    ],
    [
      {
        members: [{ name: 'm', wan: 'w' }],
        policies: [{ name: 'p', members: ['m'] }],
        rules: [{ name: 'r', destPort: 53, policy: 'p' }],
      },
      'rules.0.destPort',
    ],
  ])('rejects %j at %s', (input, path) => {
    expect(() => parsePolicyConfig(input)).toThrow(
      expect.objectContaining({ name: 'PolicyConfigError', path }),
    );
  });
});
