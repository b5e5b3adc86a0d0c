import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HostapdOutputError,
  hostapdCall,
  parseHostapdClients,
  parseHostapdObjects,
  parseHostapdStatus,
} from './hostapd-clients.ts';

// Written by us in the shape OpenWrt's hostapd answers over ubus (hostapd_bss_get_clients and
// hostapd_bss_get_status in package/network/services/hostapd/src/src/ap/ubus.c; file and commit
// in docs/roaming-product.md), as `ubus call` prints it; MACs and figures made up.
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/platform/fixtures/${name}`, import.meta.url), 'utf8');

describe('hostapd over ubus', () => {
  it('lists the BSS objects', () => {
    expect(parseHostapdObjects('hostapd.wlan0\nhostapd.wlan1-1\n')).toEqual(['wlan0', 'wlan1-1']);
    expect(parseHostapdObjects('')).toEqual([]);
    expect(() => parseHostapdObjects('network.wireless\n')).toThrow(
      "ubus list 'hostapd.*': 'network.wireless' is not a hostapd BSS object",
    );
  });

  it('reads the SSID from get_status', () => {
    expect(parseHostapdStatus(fixture('ubus-hostapd-get-status.json'))).toEqual(
      expect.objectContaining({ ssid: 'staff' }),
    );
  });

  it('takes the authorized stations of get_clients with their signal', () => {
    expect(
      parseHostapdClients(fixture('ubus-hostapd-get-clients.json'), {
        iface: 'wlan0',
        ssid: 'staff',
      }),
    ).toEqual([
      { mac: '02:1a:11:f4:90:3c', ssid: 'staff', iface: 'wlan0', signalDbm: -71 },
      { mac: 'aa:bb:cc:dd:ee:01', ssid: 'staff', iface: 'wlan0', signalDbm: -52 },
    ]);
  });

  it('a station without driver data has no signal; an empty BSS has no station', () => {
    const text = JSON.stringify({
      freq: 2412,
      clients: { 'AA:BB:CC:DD:EE:02': { assoc: true, authorized: true, aid: 1 } },
    });
    expect(parseHostapdClients(text, { iface: 'wlan1', ssid: 'guest' })).toEqual([
      { mac: 'aa:bb:cc:dd:ee:02', ssid: 'guest', iface: 'wlan1', signalDbm: null },
    ]);
    expect(
      parseHostapdClients('{"freq":2412,"clients":{}}', { iface: 'wlan1', ssid: 'g' }),
    ).toEqual([]);
  });

  it('refuses a malformed answer with a typed error naming the call and the path', () => {
    const bss = { iface: 'wlan0', ssid: 'staff' };
    expect(() => parseHostapdClients('Command failed: Not found', bss)).toThrow(HostapdOutputError);
    expect(() => parseHostapdClients('Command failed: Not found', bss)).toThrow(
      /^ubus call hostapd\.wlan0 get_clients is not JSON/,
    );
    expect(() =>
      parseHostapdClients(
        '{"clients":{"aa:bb:cc:dd:ee:01":{"assoc":"yes","authorized":true}}}',
        bss,
      ),
    ).toThrow('ubus call hostapd.wlan0 get_clients at clients.aa:bb:cc:dd:ee:01.assoc:');
    expect(() =>
      parseHostapdClients('{"clients":{"not-a-mac":{"assoc":true,"authorized":true}}}', bss),
    ).toThrow(/at clients\.not-a-mac: not a MAC address$/);
    expect(() => parseHostapdStatus('{}', 'wlan0')).toThrow(
      /^ubus call hostapd\.wlan0 get_status at ssid:/,
    );
  });

  it('builds the calls, refusing a name that is not an interface', () => {
    expect(hostapdCall('wlan0', 'get_clients')).toEqual([
      'ubus',
      'call',
      'hostapd.wlan0',
      'get_clients',
    ]);
    expect(() => hostapdCall('wlan0; reboot', 'get_status')).toThrow(/not an interface name/);
  });
});
