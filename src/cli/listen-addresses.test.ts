import type { NetworkInterfaceInfo } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { listenAddresses, reachableAddresses } from './listen-addresses.ts';

/** Collects values the way commander calls a repeatable option's parser. */
function parse(...values: string[]): string[] {
  return values.reduce<string[] | undefined>((prev, v) => listenAddresses(v, prev), undefined)!;
}

describe('listenAddresses', () => {
  it('takes repeated and comma-separated IPv4 and IPv6 literals, brackets allowed', () => {
    expect(parse('10.0.0.1,::1', '[fd00::1]', ' 192.168.1.1 ')).toEqual([
      '10.0.0.1',
      '::1',
      'fd00::1',
      '192.168.1.1',
    ]);
    expect(parse('0.0.0.0', '::', '0.0.0.0')).toEqual(['0.0.0.0', '::']);
  });

  it('refuses names and junk, naming the value', () => {
    for (const bad of ['controller.lab', '10.0.0.256', '', '10.0.0.1:1883']) {
      expect(() => parse(bad)).toThrow(InvalidArgumentError);
      expect(() => parse(bad)).toThrow(`'${bad}' is not an IP address`);
    }
  });

  it('refuses a wildcard next to a specific address of its family, in either order', () => {
    expect(() => parse('0.0.0.0', '10.0.0.1')).toThrow(
      '0.0.0.0 already listens on every IPv4 address, 10.0.0.1 included: give one or the other.',
    );
    expect(() => parse('::1,::')).toThrow(':: already listens on every IPv6 address, ::1 included');
    expect(parse('0.0.0.0', '::1')).toEqual(['0.0.0.0', '::1']);
  });
});

describe('reachableAddresses', () => {
  const iface = (address: string, family: 'IPv4' | 'IPv6') =>
    ({
      address,
      family,
      internal: false,
      netmask: '',
      mac: '',
      cidr: null,
    }) as NetworkInterfaceInfo;
  const interfaces = {
    lo: [iface('127.0.0.1', 'IPv4'), iface('::1', 'IPv6')],
    eth0: [iface('10.77.0.1', 'IPv4'), iface('fe80::1', 'IPv6'), iface('fd00::7', 'IPv6')],
  };

  it('is the address itself unless a wildcard', () => {
    expect(reachableAddresses('10.77.0.1', interfaces)).toEqual(['10.77.0.1']);
  });

  it("expands a wildcard to this machine's addresses, without IPv6 link-local ones", () => {
    expect(reachableAddresses('0.0.0.0', interfaces)).toEqual(['127.0.0.1', '10.77.0.1']);
    expect(reachableAddresses('::', interfaces)).toEqual([
      '127.0.0.1',
      '::1',
      '10.77.0.1',
      'fd00::7',
    ]);
    expect(reachableAddresses('::', interfaces, true)).toEqual(['::1', 'fd00::7']);
  });
});
