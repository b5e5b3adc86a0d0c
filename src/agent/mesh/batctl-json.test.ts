import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewaySelector } from '../policy/gateway-select.ts';
import { parseGatewaysJson, parseNeighboursJson, parseOriginatorsJson } from './batctl-json.ts';

// Fixtures written by us, not captured from a device. Attribute names from batctl's genl_json.c
// (https://git.open-mesh.org/batctl.git/blob/HEAD:/genl_json.c). The oj/nj shapes were checked
// against real B.A.T.M.A.N. IV output kept as test data by LibreMesh
// (https://github.com/libremesh/lime-packages/blob/master/packages/shared-state-bat_links_info/tests/test_shared-state-bat_links_info.lua):
// every row carries both hard_ifindex and hard_ifname, `best` appears only when true, a non-best
// route can have tq 0, and last_seen_msecs can be 0. IV neighbours (nj) have no throughput; the
// B.A.T.M.A.N. V nj rows add `throughput` in kbit/s. gwj follows the kernel's gateway dump
// (orig_address, router, hard_ifname, bandwidth_down/up in 100 kbit/s, tq for IV); no captured
// gwj output was found to check it against.
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/agent/fixtures/${name}`, import.meta.url), 'utf8');

describe('batctl JSON adapters', () => {
  it('maps gwj rows to gateway candidates in kbit/s, and they feed the selector', () => {
    const gws = parseGatewaysJson(fixture('batctl-gwj.json'));
    expect(gws).toEqual([
      {
        originator: '02:ba:7a:00:00:02',
        router: '02:ba:7a:00:00:02',
        tq: 231,
        bandwidthDownKbit: 50_000,
        bandwidthUpKbit: 10_000,
        best: true,
      },
      {
        originator: '02:ba:7a:00:00:05',
        router: '02:ba:7a:00:00:03',
        tq: 178,
        bandwidthDownKbit: 100_000,
        bandwidthUpKbit: 2_000,
        best: false,
      },
    ]);
    // TQ² × bandwidth: 231² × 50 000 = 2.67e9 < 178² × 100 000 = 3.17e9; by TQ alone, 231 wins.
    const fast = new GatewaySelector({ node: 'n', selClass: 'fast' });
    expect(fast.select(gws, 0).gateway?.originator).toBe('02:ba:7a:00:00:05');
    expect(new GatewaySelector({ node: 'n' }).select(gws, 0).gateway?.originator).toBe(
      '02:ba:7a:00:00:02',
    );
  });

  it('maps oj and nj rows', () => {
    const oj = parseOriginatorsJson(fixture('batctl-oj.json'));
    expect(oj.filter((o) => o.best).map((o) => [o.originator, o.nextHop, o.tq])).toEqual([
      ['02:ba:7a:00:00:02', '02:ba:7a:00:00:02', 231],
      ['02:ba:7a:00:00:05', '02:ba:7a:00:00:03', 178],
      ['02:ba:7a:00:00:03', '02:ba:7a:00:00:03', 205],
    ]);
    // The interface name wins over its index; a zero TQ and a zero last-seen are kept as numbers.
    expect(oj[2]).toEqual({
      originator: '02:ba:7a:00:00:05',
      nextHop: '02:ba:7a:00:00:02',
      hardIf: 'mesh1',
      lastSeenMs: 880,
      tq: 0,
      best: false,
    });
    expect(oj[4]!.lastSeenMs).toBe(0);
    expect(parseNeighboursJson(fixture('batctl-nj.json'))).toEqual([
      { neighbour: '02:ba:7a:00:00:02', hardIf: 'mesh0', lastSeenMs: 120, throughputKbit: null },
      { neighbour: '02:ba:7a:00:00:03', hardIf: 'mesh1', lastSeenMs: 340, throughputKbit: null },
    ]);
    expect(
      parseNeighboursJson(fixture('batctl-nj-batman-v.json')).map((n) => n.throughputKbit),
    ).toEqual([86_300, 1_000_000]);
  });

  it('names the entry and field of bad input', () => {
    expect(() =>
      parseGatewaysJson(
        '[{"orig_address":"zz","router":"02:00:00:00:00:01","bandwidth_down":1,"bandwidth_up":1}]',
      ),
    ).toThrow(expect.objectContaining({ name: 'BatctlParseError', where: '[0].orig_address' }));
    expect(() => parseOriginatorsJson('[{"orig_addr')).toThrow(
      expect.objectContaining({ name: 'BatctlParseError', where: '(document)' }),
    );
    expect(() => parseNeighboursJson('{}')).toThrow(
      expect.objectContaining({ name: 'BatctlParseError' }),
    );
  });

  it('never throws anything but BatctlParseError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const parse of [parseGatewaysJson, parseOriginatorsJson, parseNeighboursJson]) {
          try {
            parse(text);
          } catch (e) {
            if ((e as Error).name !== 'BatctlParseError') return false;
          }
        }
        return true;
      }),
    );
  });
});
