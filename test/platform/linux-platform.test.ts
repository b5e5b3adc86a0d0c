import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LinuxPlatform } from '../../src/platform/linux/linux-platform.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformCompliance } from './compliance.ts';
import type { RoutingPlan } from '../../src/platform/platform.ts';
import { INTERNET, labUnavailableReason, NetnsLab } from './netns-lab.ts';

const exec = promisify(execFile);
const skip = await labUnavailableReason();

platformCompliance(
  'linux (network namespaces)',
  async () => {
    const lab = await NetnsLab.create();
    const platform = new LinuxPlatform({
      netns: lab.node,
      lanDevices: ['lan0'],
      wans: [
        { name: 'wan1', device: 'wan1', gateway: '10.91.0.1', sourceAddress: '10.91.0.2' },
        { name: 'wan2', device: 'wan2', gateway: '10.92.0.1', sourceAddress: '10.92.0.2' },
      ],
    });
    const inNode = async (...argv: string[]) =>
      (await exec('ip', ['netns', 'exec', lab.node, ...argv])).stdout;
    return {
      platform,
      ...lab.harnessFields(),
      residue: async () => {
        const left: string[] = [];
        const rules = await inNode('ip', 'rule', 'show');
        for (const line of rules.split('\n'))
          if (/^1[0-3]\d\d:/.test(line)) left.push(`rule ${line}`);
        for (const t of ['100', '101', '102', '350']) {
          const routes = await inNode('ip', 'route', 'show', 'table', t);
          if (routes.trim()) left.push(`table ${t}: ${routes.trim()}`);
        }
        if ((await inNode('nft', 'list', 'tables')).includes('intelli_mesh'))
          left.push('nft table intelli_mesh');
        return left;
      },
      destroy: () => lab.destroy(),
    };
  },
  skip,
);

describe.skipIf(skip !== null)(
  `Linux platform: sticky sources, the node's own traffic${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: NetnsLab;
    let platform: LinuxPlatform;
    beforeAll(async () => {
      lab = await NetnsLab.create();
      platform = new LinuxPlatform({
        netns: lab.node,
        lanDevices: ['lan0'],
        wans: [
          { name: 'wan1', device: 'wan1', gateway: '10.91.0.1' },
          { name: 'wan2', device: 'wan2', gateway: '10.92.0.1' },
        ],
      });
      await platform.setup();
    }, 30_000);
    afterAll(async () => {
      try {
        await platform?.close();
      } finally {
        await lab?.destroy();
      }
    });

    it('keeps a sticky source on its WAN across new connections and routing updates', async () => {
      const plan = (name: string) => ({
        rules: [
          {
            name,
            match: {},
            stickyTimeoutMs: 600_000,
            target: {
              kind: 'wans' as const,
              shares: [
                { wan: 'wan1', weight: 1 },
                { wan: 'wan2', weight: 1 },
              ],
            },
          },
        ],
        meshGateway: null,
      });
      await platform.applyRouting(plan('web'));
      const first = await lab.carrierOfClientTraffic();
      expect(first).not.toBe(0);
      for (let i = 0; i < 6; i++) {
        // A new plan (same shape) and no conntrack state: only the sticky set can keep the WAN.
        await platform.applyRouting(plan(`web${i}`));
        await platform.flushConntrack('wan1');
        await platform.flushConntrack('wan2');
        expect(await lab.carrierOfClientTraffic()).toBe(first);
      }
    }, 30_000);

    /** Which ISP a ping from the node itself (no bound device) reaches: 1, 2, or 0 when none. */
    async function nodeCarrier(): Promise<0 | 1 | 2> {
      const [a0, b0] = await lab.clientPackets();
      const ok = await exec('ip', [
        'netns',
        'exec',
        lab.node,
        'ping',
        '-n',
        '-q',
        '-c',
        '1',
        '-W',
        '1',
        INTERNET,
      ]).then(
        () => true,
        () => false,
      );
      const [a1, b1] = await lab.clientPackets();
      if (!ok) return 0;
      return a1 > a0 ? 1 : b1 > b0 ? 2 : 0;
    }

    const plan = (local: RoutingPlan['local']): RoutingPlan => ({
      rules: [
        {
          name: 'default',
          match: {},
          target: { kind: 'wans', shares: [{ wan: 'wan1', weight: 1 }] },
        },
      ],
      meshGateway: null,
      local,
    });

    it('follows the WAN the plan names, and keeps the main table for connected networks', async () => {
      // The node's main table has no default route here: only the plan gets it out.
      await platform.applyRouting(plan(null));
      expect(await nodeCarrier()).toBe(0);
      await platform.applyRouting(plan({ kind: 'wan', wan: 'wan1' }));
      expect(await nodeCarrier()).toBe(1);
      await platform.applyRouting(plan({ kind: 'wan', wan: 'wan2' }));
      expect(await nodeCarrier()).toBe(2);
      // A connected network still goes out its own interface, not to the WAN's gateway.
      await exec('ip', [
        'netns',
        'exec',
        lab.node,
        'ping',
        '-n',
        '-q',
        '-c',
        '1',
        '-W',
        '1',
        '10.99.0.2',
      ]);
      await platform.applyRouting(plan(null));
      expect(await nodeCarrier()).toBe(0);
    });
  },
);
