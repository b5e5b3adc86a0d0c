import { describe, expect, it } from 'vitest';
import { diffUci, formatUciChange } from './diff-uci.ts';
import { parseUci } from './parse-uci.ts';

const current = parseUci(`
config interface 'lan'
	option proto 'static'
	option ipaddr '192.168.1.1'
	list dns '1.1.1.1'

config interface 'old'
	option proto 'dhcp'

config rule
	option name 'a'

config wifi-iface 'ap'
	option key 'old-secret'
`);

const desired = parseUci(`
config interface 'lan'
	option proto 'static'
	option ipaddr '10.0.0.1'
	list dns '1.1.1.1'
	list dns '9.9.9.9'
	option mtu '1500'

config rule
	option name 'a'

config rule
	option name 'b'

config wifi-iface 'ap'
	option key 'new-secret'
`);

describe('diffUci', () => {
  it('lists added, removed and changed sections and options', () => {
    expect(diffUci('network', current, desired).map(formatUciChange)).toEqual([
      "~ network.lan.ipaddr='192.168.1.1' -> '10.0.0.1'",
      "~ network.lan.dns=['1.1.1.1'] -> ['1.1.1.1' '9.9.9.9']",
      "+ network.lan.mtu='1500'",
      '+ network.@rule[1]=rule',
      "+ network.@rule[1].name='b'",
      "~ network.ap.key='***' -> '***'",
      '- network.old=interface',
    ]);
  });

  it('finds nothing to change between identical packages', () => {
    expect(diffUci('network', desired, parseUci(`${''}\n` + serialize(desired)))).toEqual([]);
  });

  it('treats a missing current file as empty', () => {
    const changes = diffUci('network', undefined, desired);
    expect(changes.filter((c) => c.kind === 'add-section')).toHaveLength(4);
    expect(changes.some((c) => c.kind === 'remove-section' || c.kind === 'change-option')).toBe(
      false,
    );
  });

  it('never shows a secret value', () => {
    const text = diffUci('wireless', current, desired).map(formatUciChange).join('\n');
    expect(text).not.toContain('old-secret');
    expect(text).not.toContain('new-secret');
  });

  it('reports a section whose type changed', () => {
    const changes = diffUci('x', parseUci("config a 'n'\n"), parseUci("config b 'n'\n"));
    expect(changes.map(formatUciChange)).toEqual(['~ x.n=a -> b']);
  });
});

function serialize(pkg: ReturnType<typeof parseUci>): string {
  return pkg.sections
    .map(
      (s) =>
        `config ${s.type}${s.name ? ` '${s.name}'` : ''}\n` +
        [...s.options]
          .flatMap(([k, v]) =>
            typeof v === 'string' ? [`option ${k} '${v}'`] : v.map((x) => `list ${k} '${x}'`),
          )
          .join('\n'),
    )
    .join('\n');
}
