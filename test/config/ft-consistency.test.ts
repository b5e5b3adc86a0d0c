/**
 * Issue 13 item 6: 802.11r settings checked across every AP of an SSID. Worked bad sites (a
 * second SSID entry that broadcasts the same SSID from other nodes, as a site with one entry
 * per building would have) are refused at the exact path at fault; the pure check is also run
 * on hand-written rendered APs for the listed key-holder rules the renderer does not write yet.
 */
import { describe, expect, it } from 'vitest';
import { parseSite } from '../../src/config/index.ts';
import { ftMismatches, type FtBss } from '../../src/config/rules/ft-consistency.ts';
import { renderedFtBsses } from '../../src/config/rules/ft-rules.ts';
import type { SiteIssue } from '../../src/config/site-issue.ts';
import { exampleObject, issuesOf, type Loose } from './example-site.ts';

/** The example site with a second 'Riverside Staff' entry served by the relays only. */
function twoStaffEntries(change: (entry: Loose, site: Loose) => void): SiteIssue[] {
  return issuesOf((s) => {
    const east = { ...structuredClone(s.ssids[0]), name: 'staff_east' };
    change(east, s);
    s.ssids.push(east); // ssids[3]
    for (const n of s.nodes) {
      if (n.id.startsWith('relay')) n.ssids = ['staff_east'];
      else n.ssids = ['staff', 'guest', 'sensors'];
    }
  });
}

const ftIssues = (issues: SiteIssue[]) =>
  issues.filter((i) => i.rule.startsWith('ft-') || i.rule.startsWith('mobility-domain'));

describe('802.11r consistency across the APs of an SSID', () => {
  it('accepts two entries of one SSID that agree (mobility domain case aside)', () => {
    expect(twoStaffEntries((e) => (e.roaming.mobilityDomain = 'A1B2'))).toEqual([]);
  });

  const cases: [string, string, string, (e: Loose) => void][] = [
    [
      'a different mobility domain',
      'ssids[3].roaming.mobilityDomain',
      'ft-mobility-domain',
      (e) => (e.roaming.mobilityDomain = 'beef'),
    ],
    ['802.11r off', 'ssids[3]', 'ft-mixed', (e) => delete e.roaming],
    [
      'FT over the DS',
      'ssids[3].roaming.ftOverDs',
      'ft-over-ds',
      (e) => (e.roaming.ftOverDs = true),
    ],
    ['another AKM', 'ssids[3].encryption', 'ft-encryption', (e) => (e.encryption = 'wpa3-sae')],
  ];
  for (const [what, path, rule, change] of cases) {
    it(`refuses ${what} at ${path} [${rule}]`, () => {
      const issues = twoStaffEntries(change);
      expect(ftIssues(issues).map((i) => [i.path, i.rule])).toEqual([[path, rule]]);
      expect(issues[0]?.message).toContain("SSID 'Riverside Staff'");
      expect(issues[0]?.message).toMatch(/gw-north 2g \(ssids\[0\]\)/);
      expect(issues[0]?.line).toBeGreaterThan(0);
    });
  }

  it('refuses 802.11r on an entry whose first entry has it off, at the roaming block', () => {
    const issues = issuesOf((s) => {
      const iot = {
        ...structuredClone(s.ssids[2]),
        name: 'iot_b',
        roaming: { mobilityDomain: 'e5f6' },
      };
      s.ssids.push(iot);
      for (const n of s.nodes) n.ssids ??= ['staff', 'guest', 'sensors'];
      s.nodes[5].ssids = ['iot_b'];
    });
    expect(ftIssues(issues).map((i) => [i.path, i.rule])).toEqual([
      ['ssids[3].roaming', 'ft-mixed'],
    ]);
    expect(issues[0]?.message).toMatch(/802\.11r is on on relay-4 2g \(ssids\[3\]\) but off/);
  });

  it('refuses a different passphrase without echoing either one', () => {
    const issues = twoStaffEntries((e) => (e.key = 'another-passphrase-77'));
    expect(ftIssues(issues).map((i) => [i.path, i.rule])).toEqual([
      ['ssids[3].key', 'ft-passphrase'],
    ]);
    expect(issues[0]?.message).not.toContain('another-passphrase-77');
    expect(issues[0]?.message).not.toContain('staff-passphrase-change-me');
  });

  it('refuses FT-PSK key generation on some APs and key holders on others', () => {
    const issues = issuesOf((s) => {
      // Guest is WPA2-PSK: OpenWrt's default and the site's is ft_psk_generate_local=1.
      const b = structuredClone(s.ssids[1]);
      b.name = 'guest_b';
      b.roaming.ftPskGenerateLocal = false;
      s.ssids.push(b);
      s.nodes[4].ssids = ['guest_b', 'staff'];
    });
    expect(ftIssues(issues).map((i) => [i.path, i.rule])).toEqual([
      ['ssids[3].roaming.ftPskGenerateLocal', 'ft-key-holders'],
    ]);
  });

  it('still flags one mobility domain shared by two different SSIDs', () => {
    const issues = issuesOf((s) => (s.ssids[1].roaming.mobilityDomain = 'a1b2'));
    expect(ftIssues(issues).map((i) => [i.path, i.rule])).toEqual([
      ['ssids[1].roaming.mobilityDomain', 'mobility-domain-shared'],
    ]);
  });

  it('reports every mismatch of a site in one run, once per site field', () => {
    const issues = twoStaffEntries((e) => {
      e.roaming.mobilityDomain = 'beef';
      e.roaming.ftOverDs = true;
    });
    // Four relays × two bands render eight APs of ssids[3]; two problems, each said once.
    expect(ftIssues(issues).map((i) => i.path)).toEqual([
      'ssids[3].roaming.mobilityDomain',
      'ssids[3].roaming.ftOverDs',
    ]);
  });

  it('the example site renders the same FT options on every AP of each SSID', () => {
    const r = parseSite(JSON.stringify(exampleObject()), { env: {} });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const aps = renderedFtBsses(r.site);
    const staff = aps.filter((b) => b.options.get('ssid') === 'Riverside Staff');
    // gw-north, gw-south, relay-1..3, both bands: the check really looks at them.
    expect(staff).toHaveLength(10);
    expect(new Set(staff.map((b) => b.options.get('mobility_domain')))).toEqual(new Set(['a1b2']));
    expect(staff.every((b) => b.options.get('ieee80211r') === '1')).toBe(true);
    expect(ftMismatches(aps)).toEqual([]);
  });
});

/** A rendered AP for the pure check: FT on with listed key holders, by default. */
function ap(node: string, nodeIndex: number, options: Record<string, string | string[]>): FtBss {
  return {
    node,
    nodeIndex,
    ssidEntry: 0,
    band: '5g',
    options: new Map(
      Object.entries({
        mode: 'ap',
        ssid: 'Corp',
        encryption: 'sae',
        key: 'a-long-passphrase',
        ieee80211r: '1',
        mobility_domain: '4f57',
        ft_over_ds: '0',
        ft_psk_generate_local: '0',
        ...options,
      }),
    ),
  };
}

const k = '00112233445566778899aabbccddeeff';
const rules = (bsses: FtBss[]) => ftMismatches(bsses).map((m) => [m.bss.node, m.rule]);

describe('listed R0KH/R1KH key holders (ft_psk_generate_local=0)', () => {
  const listed = (node: string, i: number, nasid: string, holder: string) =>
    ap(node, i, {
      nasid,
      r1_key_holder: holder,
      r0kh: [
        `02:00:00:00:00:01,ap1,${k}`,
        `02:00:00:00:00:02,ap2,${k}`,
        `02:00:00:00:00:03,ap3,${k}`,
      ],
      r1kh: [
        `02:00:00:00:00:01,02:00:00:00:00:01,${k}`,
        `02:00:00:00:00:02,02:00:00:00:00:02,${k}`,
        `02:00:00:00:00:03,02:00:00:00:00:03,${k}`,
      ],
    });
  const three = () => [
    listed('n1', 0, 'ap1', '02:00:00:00:00:01'),
    listed('n2', 1, 'ap2', '02:00:00:00:00:02'),
    listed('n3', 2, 'ap3', '02:00:00:00:00:03'),
  ];

  it('accepts lists that reach every other AP, and wildcard holders with one key', () => {
    expect(rules(three())).toEqual([]);
    const wild = (n: string, i: number) =>
      ap(n, i, {
        nasid: n,
        r0kh: [`ff:ff:ff:ff:ff:ff,*,${k}`],
        r1kh: [`00:00:00:00:00:00,00:00:00:00:00:00,${k}`],
      });
    expect(rules([wild('n1', 0), wild('n2', 1)])).toEqual([]);
    // Derived by OpenWrt on every AP (no lists): same domain and passphrase suffice.
    expect(rules([ap('n1', 0, {}), ap('n2', 1, {})])).toEqual([]);
  });

  it('refuses a duplicate nasid (two APs with one R0KH-ID)', () => {
    const aps = three();
    aps[2] = listed('n3', 2, 'ap2', '02:00:00:00:00:03');
    expect(rules(aps)).toContainEqual(['n3', 'ft-nasid']);
  });

  it('refuses an r0kh or r1kh list that misses an AP', () => {
    const aps = three();
    const opts = new Map(aps[0]!.options);
    opts.set('r0kh', (opts.get('r0kh') as string[]).slice(0, 2));
    opts.set(
      'r1kh',
      (opts.get('r1kh') as string[]).filter((e) => !e.startsWith('02:00:00:00:00:02')),
    );
    aps[0] = { ...aps[0]!, options: opts };
    const found = ftMismatches(aps).filter((m) => m.bss.node === 'n1');
    expect(found.map((m) => m.rule)).toEqual(['ft-r1kh', 'ft-r0kh']);
    expect(found[1]?.message).toContain("n3 5g (ssids[0]) (nasid 'ap3')");
  });

  it('refuses wildcard holders keyed differently, and a mix of derived and listed holders', () => {
    const wild = (n: string, i: number, key: string) =>
      ap(n, i, {
        nasid: n,
        r0kh: [`ff:ff:ff:ff:ff:ff,*,${key}`],
        r1kh: [`00:00:00:00:00:00,00:00:00:00:00:00,${key}`],
      });
    const m = ftMismatches([wild('n1', 0, k), wild('n2', 1, k.replace('00', 'ff'))]);
    expect(m.map((x) => [x.bss.node, x.rule])).toEqual([['n2', 'ft-r0kh']]);
    expect(m[0]?.message).not.toContain(k);
    expect(rules([wild('n1', 0, k), ap('n2', 1, {})])).toEqual([['n2', 'ft-key-holders']]);
  });

  it('leaves PSK APs that generate FT keys locally alone, and SSIDs without 802.11r', () => {
    const psk = (n: string, i: number) =>
      ap(n, i, { encryption: 'psk2+ccmp', ft_psk_generate_local: '1' });
    expect(rules([psk('n1', 0), psk('n2', 1)])).toEqual([]);
    const off = (n: string, i: number, md: string) =>
      ap(n, i, { ieee80211r: '0', mobility_domain: md });
    expect(rules([off('n1', 0, '0001'), off('n2', 1, '0002')])).toEqual([]);
  });
});
