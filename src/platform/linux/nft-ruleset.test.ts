import { describe, expect, it } from 'vitest';
import { renderNft, renderNftRuleset } from './nft-ruleset.ts';
import { wanLayout } from './wan-layout.ts';

const layout = wanLayout([
  { name: 'wan1', device: 'eth1', gateway: '192.0.2.1' },
  { name: 'wan2', device: 'eth2', gateway: '198.51.100.1', masquerade: false },
]);

describe('renderNftRuleset', () => {
  it('renders weighted, sticky, mesh and blackhole rules (golden)', () => {
    const text = renderNftRuleset(
      layout,
      {
        rules: [
          { name: 'guest', match: { iif: ['guest0'] }, target: { kind: 'blackhole' } },
          {
            name: 'https',
            match: { destIp: '203.0.113.0/24', proto: 'tcp', destPort: 443 },
            stickyTimeoutMs: 600_000,
            target: {
              kind: 'wans',
              shares: [
                { wan: 'wan1', weight: 3 },
                { wan: 'wan2', weight: 1 },
              ],
            },
          },
          { name: 'default', match: {}, target: { kind: 'mesh' } },
        ],
        meshGateway: null,
      },
      { lanDevices: ['lan0'] },
    );
    expect(text).toBe(
      [
        'table inet intelli_mesh {}',
        'delete table inet intelli_mesh',
        'table inet intelli_mesh {',
        '  set sticky_1_1_600 { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 600s; }',
        '  set sticky_1_2_600 { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 600s; }',
        '  chain prerouting {',
        '    type filter hook prerouting priority mangle; policy accept;',
        '    iifname { "guest0" } goto rule_0 comment "guest"',
        '    iifname { "lan0" } ip daddr 203.0.113.0/24 tcp dport 443 goto rule_1 comment "https"',
        '    iifname { "lan0" } goto rule_2 comment "default"',
        '  }',
        '  chain rule_0 {',
        '    drop',
        '  }',
        '  chain rule_1 {',
        '    ct mark and 0xff00 { 0x100, 0x200 } meta mark set ct mark and 0xff00 accept',
        '    ip saddr @sticky_1_1_600 meta mark set 0x100 ct mark set meta mark update @sticky_1_1_600 { ip saddr } accept',
        '    ip saddr @sticky_1_2_600 meta mark set 0x200 ct mark set meta mark update @sticky_1_2_600 { ip saddr } accept',
        '    meta mark set numgen random mod 4 map { 0-2 : 0x100, 3-3 : 0x200 }',
        '    meta mark 0x100 add @sticky_1_1_600 { ip saddr }',
        '    meta mark 0x200 add @sticky_1_2_600 { ip saddr }',
        '    ct mark set meta mark',
        '  }',
        '  chain rule_2 {',
        '    meta mark set 0xfe00 ct mark set meta mark',
        '  }',
        '  chain postrouting {',
        '    type nat hook postrouting priority srcnat; policy accept;',
        '    oifname "eth1" masquerade',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps established connections on still-usable WANs the rule no longer uses', () => {
    const text = renderNftRuleset(
      layout,
      {
        rules: [
          {
            name: 'default',
            match: {},
            target: { kind: 'wans', shares: [{ wan: 'wan1', weight: 1 }] },
          },
        ],
        meshGateway: null,
        keepWans: ['wan2'],
      },
      { lanDevices: ['lan0'] },
    );
    expect(text).toContain(
      '    ct mark and 0xff00 { 0x100, 0x200 } meta mark set ct mark and 0xff00 accept\n    meta mark set 0x100\n',
    );
    expect(() =>
      renderNftRuleset(
        layout,
        { rules: [], meshGateway: null, keepWans: ['wan7'] },
        { lanDevices: [] },
      ),
    ).toThrow(expect.objectContaining({ name: 'PlatformConfigError' }));
  });

  it('updates in place: flushes rules, keeps sets, drops what the new plan no longer declares', () => {
    const sticky = (timeoutMs: number) => ({
      name: 'web',
      match: {},
      stickyTimeoutMs: timeoutMs,
      target: {
        kind: 'wans' as const,
        shares: [
          { wan: 'wan1', weight: 1 },
          { wan: 'wan2', weight: 1 },
        ],
      },
    });
    const first = renderNft(
      layout,
      {
        rules: [sticky(60_000), { name: 'rest', match: {}, target: { kind: 'blackhole' } }],
        meshGateway: null,
      },
      { lanDevices: ['lan0'] },
    );
    expect(first.names).toEqual({
      chains: ['rule_0', 'rule_1'],
      sets: ['sticky_0_1_60', 'sticky_0_2_60'],
    });
    expect(first.text.split('\n').slice(0, 2)).toEqual([
      'table inet intelli_mesh {}',
      'delete table inet intelli_mesh',
    ]);
    const next = renderNft(
      layout,
      { rules: [sticky(120_000)], meshGateway: null },
      { lanDevices: ['lan0'], previous: first.names },
    );
    expect(next.text.split('\n').slice(0, 6)).toEqual([
      'table inet intelli_mesh {}',
      'flush table inet intelli_mesh',
      'delete chain inet intelli_mesh rule_1',
      'delete set inet intelli_mesh sticky_0_1_60',
      'delete set inet intelli_mesh sticky_0_2_60',
      'table inet intelli_mesh {',
    ]);
    const same = renderNft(
      layout,
      { rules: [sticky(120_000)], meshGateway: null },
      { lanDevices: ['lan0'], previous: next.names },
    );
    expect(same.text).not.toContain('delete');
  });

  it('a rule whose zone has no devices matches nothing', () => {
    const text = renderNftRuleset(
      layout,
      {
        rules: [{ name: 'empty', match: { iif: [] }, target: { kind: 'blackhole' } }],
        meshGateway: null,
      },
      { lanDevices: ['lan0'] },
    );
    expect(text).not.toContain('goto rule_0');
    expect(text).toContain('chain rule_0');
  });

  it('rejects unsafe names, unknown WANs and malformed prefixes', () => {
    const plan = (rule: object) => ({ rules: [rule as never], meshGateway: null });
    const bad = [
      { name: 'a"; flush ruleset', match: {}, target: { kind: 'blackhole' } },
      { name: 'x', match: {}, target: { kind: 'wans', shares: [{ wan: 'wan9', weight: 1 }] } },
      { name: 'x', match: { srcIp: '10.0.0.0/8; drop' }, target: { kind: 'blackhole' } },
      { name: 'x', match: {}, target: { kind: 'wans', shares: [{ wan: 'wan1', weight: 0 }] } },
      { name: 'x', match: { iif: ['lan0" } accept; #'] }, target: { kind: 'blackhole' } },
      { name: 'x', match: { proto: 'tcp', destPort: 70_000 }, target: { kind: 'blackhole' } },
    ];
    for (const rule of bad) {
      expect(() => renderNftRuleset(layout, plan(rule), { lanDevices: [] })).toThrow(
        expect.objectContaining({ name: 'PlatformConfigError' }),
      );
    }
  });

  it('validates the WAN layout', () => {
    expect(() => wanLayout([{ name: 'w', device: 'eth0; reboot', gateway: '192.0.2.1' }])).toThrow(
      expect.objectContaining({ name: 'PlatformConfigError' }),
    );
    expect(() => wanLayout([{ name: 'w', device: 'eth0', gateway: 'x' }])).toThrow(
      expect.objectContaining({ name: 'PlatformConfigError' }),
    );
  });
});
