import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewaySelector } from '../policy/gateway-select.ts';
import { parseGatewaysJson, parseNeighboursJson, parseOriginatorsJson } from './batctl-json.ts';

// Fixtures assembled by hand in batctl's output format (attribute names and order from batctl's
// genl_json.c, B.A.T.M.A.N. IV fields); not captured from a device.
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
    ]);
    expect(parseNeighboursJson(fixture('batctl-nj.json'))).toEqual([
      { neighbour: '02:ba:7a:00:00:02', hardIf: 4, lastSeenMs: 120, throughputKbit: null },
      { neighbour: '02:ba:7a:00:00:03', hardIf: 5, lastSeenMs: 340, throughputKbit: null },
    ]);
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
