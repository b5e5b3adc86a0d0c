import { describe, expect, it } from 'vitest';
import { AuthFailureThrottle } from './auth-failure-throttle.ts';

function setup(extra: { maxAddresses?: number } = {}) {
  let now = 1_000_000;
  const throttle = new AuthFailureThrottle({
    maxFailures: 3,
    windowMs: 10_000,
    blockMs: 60_000,
    maxBlockMs: 200_000,
    now: () => now,
    ...extra,
  });
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe('AuthFailureThrottle', () => {
  it('blocks an address after maxFailures within the window, and only that address', () => {
    const { throttle } = setup();
    throttle.failed('10.0.0.1');
    throttle.failed('10.0.0.1');
    expect(throttle.check('10.0.0.1').allowed).toBe(true);
    expect(throttle.failed('10.0.0.1')).toEqual({ allowed: false, retryInMs: 60_000 });
    expect(throttle.check('10.0.0.2')).toEqual({ allowed: true });
  });

  it('forgets failures older than the window', () => {
    const { throttle, advance } = setup();
    throttle.failed('10.0.0.1');
    throttle.failed('10.0.0.1');
    advance(10_000);
    expect(throttle.failed('10.0.0.1').allowed).toBe(true);
  });

  it('lifts a block when it ends, and doubles the next one up to the maximum', () => {
    const { throttle, advance } = setup();
    const block = () => {
      for (let i = 0; i < 3; i++) throttle.failed('10.0.0.1');
      return throttle.check('10.0.0.1');
    };
    expect(block()).toEqual({ allowed: false, retryInMs: 60_000 });
    advance(59_999);
    expect(throttle.check('10.0.0.1').allowed).toBe(false);
    advance(1);
    expect(throttle.check('10.0.0.1').allowed).toBe(true);
    expect(block()).toEqual({ allowed: false, retryInMs: 120_000 });
    advance(120_000);
    expect(block()).toEqual({ allowed: false, retryInMs: 200_000 });
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', () => {
    const { throttle } = setup();
    throttle.failed('2001:db8:1:2::1');
    throttle.failed('2001:db8:1:2:ffff::9');
    throttle.failed('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd');
    expect(throttle.check('2001:db8:1:2::77').allowed).toBe(false);
    expect(throttle.check('2001:db8:1:3::1').allowed).toBe(true);
    for (let i = 0; i < 3; i++) throttle.failed('::ffff:192.0.2.1');
    expect(throttle.check('192.0.2.1').allowed).toBe(false);
  });

  it('stays within its size and keeps blocked offenders when addresses are sprayed', () => {
    const { throttle } = setup({ maxAddresses: 100 });
    for (let i = 0; i < 3; i++) throttle.failed('203.0.113.66');
    // 10,005 throwaway addresses, one failure each, the attack that flushed the HTTP throttle.
    for (let i = 0; i < 10_005; i++) throttle.failed(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(throttle.size).toBeLessThanOrEqual(100);
    expect(throttle.check('203.0.113.66').allowed).toBe(false);
  });

  it('when every entry is blocked, a newcomer evicts the mildest, not the worst', () => {
    const { throttle, advance } = setup({ maxAddresses: 2 });
    const block = (a: string) => {
      for (let i = 0; i < 3; i++) throttle.failed(a);
    };
    block('10.0.0.1');
    advance(60_000);
    block('10.0.0.1'); // second block: the worse offender
    block('10.0.0.2');
    block('10.0.0.3'); // the table is full of blocked entries: 10.0.0.2 goes
    expect(throttle.size).toBe(2);
    expect(throttle.check('10.0.0.1').allowed).toBe(false);
    expect(throttle.check('10.0.0.3').allowed).toBe(false);
  });
});
