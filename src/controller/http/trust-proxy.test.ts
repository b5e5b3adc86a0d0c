import { describe, expect, it } from 'vitest';
import { trustProxyOption, trustProxyProblem } from './trust-proxy.ts';

describe('--trust-proxy entries', () => {
  it.each(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback', 'uniquelocal'])(
    'takes %s',
    (entry) => expect(trustProxyProblem(entry)).toBeUndefined(),
  );

  it.each(['proxy.lan', '10.0.0.0/33', '::1/129', '10.0.0.1/8/1', '', '300.1.1.1'])(
    'refuses %j, saying what it takes',
    (entry) =>
      expect(trustProxyProblem(entry)).toBe(
        `'${entry}' is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal`,
      ),
  );

  it('makes no list mean: the header is ignored', () => {
    expect(trustProxyOption(undefined)).toBe(false);
    expect(trustProxyOption([])).toBe(false);
    expect(trustProxyOption(['127.0.0.1'])).toEqual(['127.0.0.1']);
  });
});
