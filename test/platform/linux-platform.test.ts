import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LinuxPlatform } from '../../src/platform/linux/linux-platform.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformCompliance } from './compliance.ts';
import { labUnavailableReason, NetnsLab } from './netns-lab.ts';

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
  `Linux platform sticky sources${skip ? ` (skipped: ${skip})` : ''}`,
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
  },
);
