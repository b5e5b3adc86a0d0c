import { describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/core/events.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { NodeAgent, type NodeAgentOptions } from '../../src/agent/node-agent.ts';
import { parsePolicyConfig } from '../../src/agent/policy/policy-config.ts';
import { RecordingPlatform } from './recording-platform.ts';

const config = parsePolicyConfig({
  members: [
    { name: 'wan1_m1', wan: 'wan1', metric: 1 },
    { name: 'wan2_m2', wan: 'wan2', metric: 2 },
  ],
  policies: [{ name: 'failover', members: ['wan1_m1', 'wan2_m2'] }],
  rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
});

/** Runs the scheduler to `end`, letting promise callbacks (probe answers) run after each event. */
async function runUntil(s: VirtualScheduler, end: number): Promise<void> {
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const next = s.nextEventAt();
    if (next === undefined || next > end) break;
    s.step();
  }
  s.runUntil(end);
}

function setup(dead: (wan: string, now: number) => boolean, extra: Partial<NodeAgentOptions> = {}) {
  const s = new VirtualScheduler();
  const platform = new RecordingPlatform(
    (p, now) => !dead(p.wan, now),
    () => s.now(),
  );
  const events: MeshEvent[] = [];
  const agent = new NodeAgent({
    node: 'n1',
    scheduler: s,
    platform,
    policy: config,
    zones: { lan: ['lan0'] },
    wans: ['wan1', 'wan2'].map((name) => ({
      name,
      device: name,
      bandwidthDownKbit: 10_000,
      bandwidthUpKbit: 1_000,
      tracker: { targets: ['198.51.100.2'], intervalMs: 50, timeoutMs: 50, down: 4, up: 3 },
    })),
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { s, platform, agent, events };
}

const targetsOf = (c: RecordingPlatform['calls'][number]) =>
  c.op === 'applyRouting'
    ? c.plan.rules.map((r) =>
        r.target.kind === 'wans' ? r.target.shares.map((x) => x.wan).join('+') : r.target.kind,
      )
    : null;

describe('NodeAgent on virtual time', () => {
  it('moves traffic and flushes connections when probes to the primary WAN stop', async () => {
    const { s, platform, agent, events } = setup((wan, now) => wan === 'wan1' && now >= 1000);
    await agent.start();
    await runUntil(s, 3000);
    const applies = platform.calls.filter((c) => c.op === 'applyRouting');
    expect(applies.map(targetsOf)).toEqual([['wan1'], ['wan2']]);
    expect(applies[0]!.op === 'applyRouting' && applies[0]!.plan.rules[0]!.match.iif).toEqual([
      'lan0',
    ]);
    const down = events.find((e) => e.kind === 'wan-state')!;
    // The platform reports each lost probe at once, so each cycle ends when it starts: cycles at
    // 1000, 1050, 1100, 1150 fail and the fourth (down = 4) takes the WAN offline at 1150.
    expect(down).toMatchObject({ subject: 'wan1', to: 'offline', at: 1150 });
    expect(applies[1]!.at).toBe(1150);
    expect(platform.calls.find((c) => c.op === 'flushConntrack')).toEqual({
      at: 1150,
      op: 'flushConntrack',
      wan: 'wan1',
    });
    await agent.stop();
    expect(platform.calls.at(-1)!.op).toBe('close');
  });

  it('fails over at once on carrier loss and stops announcing when every WAN is down', async () => {
    const { s, platform, agent, events } = setup((wan, now) => wan === 'wan2' && now >= 500);
    await agent.start();
    await runUntil(s, 1000);
    platform.link({ device: 'wan1', carrier: false });
    await runUntil(s, 1001);
    expect(
      events.filter((e) => e.kind === 'wan-state').map((e) => [e.subject, e.to, e.at]),
    ).toEqual([
      ['wan2', 'offline', 650],
      ['wan1', 'offline', 1000],
    ]);
    const announcements = platform.calls.flatMap((c) =>
      c.op === 'setGatewayAnnouncement' ? [c.announcement] : [],
    );
    expect(announcements).toEqual([
      { mode: 'server', bandwidthDownKbit: 20_000, bandwidthUpKbit: 2_000 },
      { mode: 'server', bandwidthDownKbit: 10_000, bandwidthUpKbit: 1_000 },
      { mode: 'off' },
    ]);
    expect(
      platform.calls
        .filter((c) => c.op === 'applyRouting')
        .map(targetsOf)
        .at(-1),
    ).toEqual(['mesh']);
    await agent.stop();
  });
});

describe('NodeAgent gateway candidates', () => {
  it('rejects a malformed gateway table and keeps deciding with the last good one', async () => {
    const { s, agent, events } = setup((wan, now) => now >= 200);
    await agent.start();
    agent.setGatewayCandidates([
      { originator: 'gw-a', tq: 200, bandwidthDownKbit: 1000, bandwidthUpKbit: 100 },
    ]);
    expect(() =>
      agent.setGatewayCandidates([
        { originator: 'gw-b', tq: 999, bandwidthDownKbit: 1, bandwidthUpKbit: 1 },
      ]),
    ).toThrow(expect.objectContaining({ name: 'InvalidGatewayCandidateError' }));
    await runUntil(s, 1000);
    expect(events.find((e) => e.kind === 'mesh-default')).toMatchObject({ to: 'gw-a' });
    await agent.stop();
  });
});

describe('NodeAgent self-healing', () => {
  it('restarts a stuck WAN interface after N failed cycles, with backoff', async () => {
    const { s, platform, agent, events } = setup((wan, now) => wan === 'wan1' && now >= 1000, {
      restartAfterFailedCycles: 10,
      restartBackoffMs: 2000,
    });
    await agent.start();
    await runUntil(s, 6000);
    const restarts = platform.calls.filter((c) => c.op === 'restartInterface');
    // Failed cycles every 50 ms from 1000: the 10th at 1450; then 10 more once the 2 s backoff
    // has passed (3450), then after 4 s (7450, beyond this run).
    expect(restarts.map((c) => [c.at, c.op === 'restartInterface' && c.wan])).toEqual([
      [1450, 'wan1'],
      [3450, 'wan1'],
    ]);
    expect(events.filter((e) => e.kind === 'interface-restart').map((e) => e.subject)).toEqual([
      'wan1',
      'wan1',
    ]);
    await agent.stop();
  });

  it('never restarts without the option', async () => {
    const { s, platform, agent } = setup((wan, now) => wan === 'wan1' && now >= 1000);
    await agent.start();
    await runUntil(s, 6000);
    expect(platform.calls.some((c) => c.op === 'restartInterface')).toBe(false);
    await agent.stop();
  });
});
