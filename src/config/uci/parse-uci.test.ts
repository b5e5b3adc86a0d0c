import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UciSyntaxError } from '../errors.ts';
import { parseUci } from './parse-uci.ts';
import { serializeUci } from './serialize-uci.ts';
import { hasControlCharacter, uciPackage, uciSection, type UciPackage } from './uci-model.ts';

function options(pkg: UciPackage, index: number): Record<string, unknown> {
  return Object.fromEntries(pkg.sections[index]?.options ?? []);
}

describe('parseUci', () => {
  it('reads sections, options and lists in OpenWrt layout', () => {
    const pkg = parseUci(
      [
        "config interface 'lan'",
        "\toption proto 'static'",
        "\tlist dns '1.1.1.1'",
        "\tlist dns '9.9.9.9'",
        '',
        'config rule',
        "\toption name 'Allow-Ping'",
      ].join('\n'),
    );
    expect(pkg.sections.map((s) => [s.type, s.name])).toEqual([
      ['interface', 'lan'],
      ['rule', undefined],
    ]);
    expect(options(pkg, 0)).toEqual({ proto: 'static', dns: ['1.1.1.1', '9.9.9.9'] });
    expect(options(pkg, 1)).toEqual({ name: 'Allow-Ping' });
  });

  it('handles quoting, escapes, comments, ; and continuations as libuci does', () => {
    const text = [
      '# leading comment',
      'package network',
      'c interface lan # trailing comment',
      "\to a 'it'\\''s'",
      '\to b "say \\"hi\\" \\\\ there"',
      '\to c bare\\ word',
      "\to d mid#comment 'not read'",
      "\to e 'one'; o f two ;l g 'x'",
      "\to h 'multi",
      "line'",
      '\to i con\\',
      'tinued',
      '\to j \'a\'"b"c',
      "\to k '#not a comment'",
    ].join('\n');
    expect(options(parseUci(text), 0)).toEqual({
      a: "it's",
      b: 'say "hi" \\ there',
      c: 'bare word',
      d: 'mid',
      e: 'one',
      f: 'two',
      g: ['x'],
      h: 'multi\nline',
      i: 'continued',
      j: 'abc',
      k: '#not a comment',
    });
  });

  it('merges a repeated named section, turns option+list into a list, and deletes on empty', () => {
    const pkg = parseUci(
      "config a 'x'\n\toption p 1\n\toption q 2\nconfig a 'x'\n\tlist p 3\n\toption q ''\n",
    );
    expect(pkg.sections).toHaveLength(1);
    expect(options(pkg, 0)).toEqual({ p: ['1', '3'] });
  });

  it.each([
    ["config a\n\toption 'bad name' x\n", 2, 9, 'invalid character in name field'],
    ['option a b\n', 1, 1, 'option/list command found before the first section'],
    ["config a\n\toption b 'open\n", 2, 11, "unterminated '"],
    ['config a\n\toption b "open\n', 2, 11, 'unterminated "'],
    ['config a\nfrobnicate b\n', 2, 1, 'invalid command'],
    ['config\n', 1, 1, 'insufficient arguments'],
    ['config a b c\n', 1, 12, 'too many arguments'],
    ["config a 'n-1'\n", 1, 10, 'invalid character in name field'],
    ["config a 'x'\nconfig b 'x'\n", 2, 10, 'section of different type overwrites prior section'],
    ['config a\n\toption b c d\n', 2, 13, 'too many arguments'],
  ])('rejects %j at %i:%i', (text, line, col, reason) => {
    let err: unknown;
    try {
      parseUci(text, { source: 'network' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UciSyntaxError);
    const e = err as UciSyntaxError;
    expect(e.name).toBe('UciSyntaxError');
    expect([e.line, e.col]).toEqual([line, col]);
    expect(e.message).toContain(reason);
    expect(e.message.startsWith(`network:${line}:${col}:`)).toBe(true);
  });

  it('fails only with UciSyntaxError on arbitrary input (fuzz)', () => {
    const alphabet = fc.constantFrom(
      ...'config option list package ',
      "'",
      '"',
      '\\',
      '#',
      ';',
      '\n',
      '\t',
      ' ',
      'a',
      '_',
      '-',
      '\r',
      '\u0001',
      'é',
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), (chars) => {
        try {
          parseUci(chars.join(''));
        } catch (e) {
          if (!(e instanceof UciSyntaxError)) throw e;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.col).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('serializeUci', () => {
  const name = fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/);
  const text = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .filter((s) => ![...s].some((c) => c.charCodeAt(0) < 32 && !'\t\n\r'.includes(c)));
  const value = fc.oneof(
    text,
    fc.array(
      fc.string({ maxLength: 20 }).filter((s) => !hasControlCharacter(s) && !/[\t\n\r]/.test(s)),
      { minLength: 1, maxLength: 4 },
    ),
  );
  const section = fc.record({
    type: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/),
    name: fc.option(name, { nil: undefined }),
    options: fc.dictionary(name, value, { maxKeys: 6 }),
  });

  it('writes what parseUci reads back unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(section, { maxLength: 8, selector: (s) => s.name ?? Symbol() }),
        (sections) => {
          const pkg = uciPackage(sections.map((s) => uciSection(s.type, s.name, s.options)));
          const back = parseUci(serializeUci(pkg));
          expect(back).toEqual(pkg);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes quotes as libuci exports them', () => {
    const out = serializeUci(uciPackage([uciSection('wifi-iface', 'ap', { ssid: "Bob's" })]));
    expect(out).toBe("config wifi-iface 'ap'\n\toption ssid 'Bob'\\''s'\n");
  });

  it('refuses values libuci would read differently', () => {
    const bad = [
      [uciSection('a', 'x', { o: '' })],
      [uciSection('a', 'x-y', {})],
      [uciSection('a b', undefined, {})],
      [uciSection("a'b", undefined, {})],
      [uciSection('a', undefined, { 'o-p': 'v' })],
      [uciSection('a', undefined, { o: 'bell\u0007' })],
      [uciSection('a', 'x', {}), uciSection('b', 'x', {})],
    ];
    for (const sections of bad) {
      expect(() => serializeUci(uciPackage(sections))).toThrow(
        expect.objectContaining({ name: 'UciValueError' }),
      );
    }
  });
});

describe('parseUci quirks kept from libuci', () => {
  it('reads the rest of a line after ; only when the word before it was quoted or escaped', () => {
    const quoted = parseUci("config t\no e 'one'; o f two\n");
    const bare = parseUci('config t\no e one; o f two\n');
    expect(Object.fromEntries(quoted.sections[0]?.options ?? [])).toEqual({ e: 'one', f: 'two' });
    expect(Object.fromEntries(bare.sections[0]?.options ?? [])).toEqual({ e: 'one' });
  });

  it('treats a command that starts with ; or \\ as invalid', () => {
    expect(() => parseUci('config t\n;\n')).toThrow(/invalid command/);
    expect(() => parseUci('config t\n\\\nconfig u\n')).toThrow(/invalid command/);
  });
});
