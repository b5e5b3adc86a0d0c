import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  hostAddress,
  hostFits,
  netmask,
  overlaps,
  parseCidr,
  parseIpv4,
} from './ipv4.ts';

describe('ipv4', () => {
  it('parses and formats addresses, refusing bad octets and leading zeros', () => {
    expect(formatIpv4(parseIpv4('192.168.10.254') ?? -1)).toBe('192.168.10.254');
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('parses networks and refuses host bits or prefixes over 32', () => {
    expect(parseCidr('10.10.0.0/20')).toEqual({ network: parseIpv4('10.10.0.0'), prefix: 20 });
    expect(parseCidr('10.10.0.1/20')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('0.0.0.0/0')).toEqual({ network: 0, prefix: 0 });
  });

  it('detects overlap, netmasks and host fit', () => {
    const a = parseCidr('10.10.0.0/20');
    const b = parseCidr('10.10.15.0/24');
    const c = parseCidr('10.10.16.0/24');
    if (!a || !b || !c) throw new Error('fixture');
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(b, a)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
    expect(netmask(a)).toBe('255.255.240.0');
    expect(hostFits(c, 254)).toBe(true);
    expect(hostFits(c, 255)).toBe(false);
    expect(hostFits(c, 0)).toBe(false);
    expect(hostAddress(a, 300)).toBe('10.10.1.44');
  });
});
