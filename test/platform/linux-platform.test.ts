import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LinuxPlatform } from '../../src/platform/linux/linux-platform.ts';
import { platformCompliance } from './compliance.ts';
import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from './netns-lab.ts';

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
      wans: ['wan1', 'wan2'],
      devices: ['wan1', 'wan2'],
      probeTarget: PROBE_TARGETS[0]!,
      carrier: async () => {
        const c = await lab.carrierOfClientTraffic();
        return c === 0 ? null : ((c - 1) as 0 | 1);
      },
      breakWan: (i) => lab.blackhole((i + 1) as 1 | 2),
      healWan: (i) => lab.heal((i + 1) as 1 | 2),
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
