import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshEvent } from '../../src/core/events.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { NodeAgent } from '../../src/agent/node-agent.ts';
import { parsePolicyConfig } from '../../src/agent/policy/policy-config.ts';
import { LinuxPlatform } from '../../src/platform/linux/linux-platform.ts';
import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from '../platform/netns-lab.ts';

const skip = await labUnavailableReason();

const policy = parsePolicyConfig({
  members: [
    { name: 'wan1_m1', wan: 'wan1', metric: 1 },
    { name: 'wan2_m2', wan: 'wan2', metric: 2 },
  ],
  policies: [{ name: 'failover', members: ['wan1_m1', 'wan2_m2'] }],
  rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
});

describe.skipIf(skip !== null)(
  `agent + Linux platform fail over for real${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: NetnsLab;
    let agent: NodeAgent;
    const events: MeshEvent[] = [];
    const waiters: { match: (e: MeshEvent) => boolean; resolve: () => void }[] = [];
    /** Resolves on the first matching event from now on (the test's timeout bounds the wait). */
    const next = (match: (e: MeshEvent) => boolean) =>
      new Promise<void>((resolve) => waiters.push({ match, resolve }));

    beforeAll(async () => {
      lab = await NetnsLab.create();
      agent = new NodeAgent({
        node: 'n1',
        scheduler: new RealScheduler(),
        platform: new LinuxPlatform({
          netns: lab.node,
          lanDevices: ['lan0'],
          wans: [
            { name: 'wan1', device: 'wan1', gateway: '10.91.0.1' },
            { name: 'wan2', device: 'wan2', gateway: '10.92.0.1' },
          ],
        }),
        policy,
        zones: { lan: ['lan0'] },
        wans: ['wan1', 'wan2'].map((name) => ({
          name,
          device: name,
          tracker: { targets: PROBE_TARGETS, intervalMs: 50, timeoutMs: 50, down: 6, up: 4 },
        })),
        onEvent: (e) => {
          events.push(e);
          for (const w of waiters.splice(0)) {
            if (w.match(e)) w.resolve();
            else waiters.push(w);
          }
        },
      });
      await agent.start();
    }, 30_000);

    afterAll(async () => {
      try {
        await agent?.stop();
      } finally {
        await lab?.destroy();
      }
    });

    const state = (wan: string, to: string) => (e: MeshEvent) =>
      e.kind === 'wan-state' && e.subject === wan && e.to === to;

    it('starts on the primary WAN', async () => {
      await agent.settled();
      expect(await lab.carrierOfClientTraffic()).toBe(1);
    });

    it('moves client traffic to wan2 when wan1 is blackholed, and back when it heals', async () => {
      const down = next(state('wan1', 'offline'));
      await lab.blackhole(1);
      await down;
      await agent.settled();
      expect(await lab.carrierOfClientTraffic()).toBe(2);
      expect(
        events.find((e) => e.kind === 'conntrack-flush' && e.subject === 'wan1'),
      ).toBeDefined();
      const up = next(state('wan1', 'online'));
      await lab.heal(1);
      await up;
      await agent.settled();
      expect(await lab.carrierOfClientTraffic()).toBe(1);
    }, 20_000);

    it('moves client traffic when wan1 loses carrier', async () => {
      const down = next(state('wan1', 'offline'));
      await lab.linkDown(1);
      await down;
      await agent.settled();
      expect(events.filter(state('wan1', 'offline')).at(-1)!.reason).toBe('carrier lost on wan1');
      expect(await lab.carrierOfClientTraffic()).toBe(2);
      const up = next(state('wan1', 'online'));
      await lab.linkUp(1);
      await up;
    }, 20_000);
  },
);
