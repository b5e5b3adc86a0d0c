import { describe, expect, it } from 'vitest';
import { parseCounterLines, trafficCounters } from './traffic-counters.ts';

describe('traffic counters', () => {
  it('parses grep -H lines and leaves out devices with a missing counter', () => {
    const text = [
      '/sys/class/net/wan1/statistics/rx_bytes:123456',
      '/sys/class/net/wan1/statistics/tx_bytes:654',
      '/sys/class/net/wwan0/statistics/rx_bytes:9',
      'grep: /sys/class/net/gone/statistics/rx_bytes: No such file or directory',
    ].join('\n');
    expect(parseCounterLines(text)).toEqual(new Map([['wan1', { rxBytes: 123456, txBytes: 654 }]]));
  });

  it('reads through one command in a namespace, never with unsafe device names', async () => {
    const argvs: string[][] = [];
    const read = trafficCounters({
      run: async (argv) => {
        argvs.push(argv);
        return {
          stdout:
            '/sys/class/net/eth1/statistics/rx_bytes:5\n/sys/class/net/eth1/statistics/tx_bytes:6\n',
          stderr: '',
          code: 0,
        };
      },
    });
    expect(await read(['eth1', '../etc', 'a b'])).toEqual(
      new Map([['eth1', { rxBytes: 5, txBytes: 6 }]]),
    );
    expect(argvs).toEqual([
      [
        'grep',
        '-H',
        '.',
        '/sys/class/net/eth1/statistics/rx_bytes',
        '/sys/class/net/eth1/statistics/tx_bytes',
      ],
    ]);
  });

  it('reads the host loopback counters directly', async () => {
    const c = (await trafficCounters()(['lo'])).get('lo');
    expect(c?.rxBytes).toBeGreaterThanOrEqual(0);
    expect(c?.txBytes).toBeGreaterThanOrEqual(0);
  });
});
