import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUdpAddress, parseUdpAddress } from './udp-address.ts';

describe('parseUdpAddress', () => {
  it('parses IPv4 and bracketed IPv6, canonicalising IPv6', () => {
    expect(parseUdpAddress('127.0.0.1:4000', 'peer')).toEqual({
      host: '127.0.0.1',
      port: 4000,
      family: 4,
    });
    expect(parseUdpAddress(' [0:0:0:0:0:0:0:1]:65535 ', 'peer')).toEqual({
      host: '::1',
      port: 65535,
      family: 6,
    });
    expect(parseUdpAddress('[2001:DB8::7]:0', 'bind address').host).toBe('2001:db8::7');
  });

  it.each([
    ['nonsense', /expected HOST:PORT/],
    ['localhost:4000', /not an IPv4 or IPv6 literal/],
    ['::1:4000', /expected HOST:PORT/],
    ['[::1]', /expected HOST:PORT/],
    ['127.0.0.1:70000', /above 65535/],
    ['256.0.0.1:1', /not an IPv4/],
    ['[fe80::1%eth0]:1', /not an IPv4/],
    ['[127.0.0.1:1', /expected HOST:PORT/],
  ])('rejects %s with a typed error naming it', (text, reason) => {
    expect(() => parseUdpAddress(text, 'peer')).toThrow(reason);
    expect(() => parseUdpAddress(text, 'peer')).toThrow(
      expect.objectContaining({ name: 'InvalidAddressError', address: text, what: 'peer' }),
    );
  });

  it('round-trips formatted addresses', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6()),
        fc.integer({ min: 0, max: 65535 }),
        (host, port) => {
          const parsed = parseUdpAddress(formatUdpAddress(host, port), 'peer');
          const again = parseUdpAddress(formatUdpAddress(parsed.host, parsed.port), 'peer');
          expect(again).toEqual(parsed);
          expect(parsed.port).toBe(port);
        },
      ),
    );
  });

  it('never throws anything but InvalidAddressError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseUdpAddress(text, 'peer');
        } catch (e) {
          expect((e as Error).name).toBe('InvalidAddressError');
        }
      }),
    );
  });
});
