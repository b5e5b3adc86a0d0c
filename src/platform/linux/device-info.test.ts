import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { readDeviceInfo } from './device-info.ts';
import { stateSchema } from '../../mqtt/messages.ts';

const v4 = (address: string, mac: string, internal = false): NetworkInterfaceInfo => ({
  address,
  mac,
  internal,
  family: 'IPv4',
  netmask: '255.255.255.0',
  cidr: `${address}/24`,
});

describe('device info of a Linux/OpenWrt node', () => {
  it('takes the OpenWrt model and the LAN bridge address and MAC', async () => {
    const info = await readDeviceInfo({
      readText: async (p) => {
        if (p === '/tmp/sysinfo/model') return 'GL.iNet GL-X3000\n';
        throw new Error('ENOENT');
      },
      interfaces: () => ({
        lo: [v4('127.0.0.1', '00:00:00:00:00:00', true)],
        eth0: [v4('203.0.113.7', '02:aa:00:00:00:01')],
        'br-lan': [v4('192.168.8.1', '94:83:C4:00:11:22')],
      }),
    });
    expect(info).toEqual({
      ip: '192.168.8.1',
      mac: '94:83:c4:00:11:22',
      model: 'GL.iNet GL-X3000',
    });
    const state = stateSchema.safeParse({
      node: 'gw',
      at: 1,
      uptime_s: 1,
      role: 'gateway',
      wans: [],
      gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
      neighbours: [],
      ...info,
    });
    expect(state.success).toBe(true);
  });

  it('falls back to the device tree and the first interface up; leaves out what it cannot read', async () => {
    const info = await readDeviceInfo({
      readText: async (p) => {
        if (p === '/sys/firmware/devicetree/base/model') return 'Raspberry Pi 4 Model B\0';
        throw new Error('ENOENT');
      },
      interfaces: () => ({
        lo: [v4('127.0.0.1', '00:00:00:00:00:00', true)],
        wg0: [v4('10.9.0.2', '00:00:00:00:00:00')],
      }),
    });
    expect(info).toEqual({ ip: '10.9.0.2', model: 'Raspberry Pi 4 Model B' });
    expect(
      await readDeviceInfo({
        readText: async () => 'To Be Filled By O.E.M.',
        interfaces: () => ({}),
      }),
    ).toEqual({});
  });
});
