import { describe, expect, it } from 'vitest';
import { parseIpAddrJson, parseMonitorLinkLine } from './interfaces.ts';

describe('ip output parsers', () => {
  it('parses ip -j addr show', () => {
    const text =
      '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"operstate":"UNKNOWN","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},' +
      '{"ifindex":3,"ifname":"wan1","link_index":2,"flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"operstate":"DOWN","addr_info":[{"family":"inet","local":"10.91.0.2","prefixlen":24}]}]';
    expect(parseIpAddrJson(text)).toEqual([
      { name: 'lo', up: true, carrier: true, addresses: ['127.0.0.1/8'] },
      { name: 'wan1', up: true, carrier: false, addresses: ['10.91.0.2/24'] },
    ]);
    expect(() => parseIpAddrJson('[{"flags":[]}]')).toThrow(
      expect.objectContaining({ name: 'PlatformConfigError' }),
    );
  });

  it('parses ip -o monitor link lines', () => {
    expect(
      parseMonitorLinkLine(
        '3: wan1@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state DOWN group default',
      ),
    ).toEqual({ device: 'wan1', carrier: false });
    expect(
      parseMonitorLinkLine(
        '3: wan1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP',
      ),
    ).toEqual({ device: 'wan1', carrier: true });
    expect(
      parseMonitorLinkLine('Deleted 3: wan1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500'),
    ).toEqual({ device: 'wan1', carrier: false });
    expect(parseMonitorLinkLine('garbage')).toBeNull();
  });
});
