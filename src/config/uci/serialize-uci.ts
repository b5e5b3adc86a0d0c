/**
 * Writes a UCI package in OpenWrt's own layout (`config type 'name'`, tab-indented
 * `option`/`list` lines, single-quoted values with `'\''` for a quote) and refuses anything
 * `parseUci` or libuci would read back differently.
 *
 * @example
 * serializeUci(uciPackage([uciSection('interface', 'lan', { proto: 'static' })]));
 * // "config interface 'lan'\n\toption proto 'static'\n"
 */
import { UciValueError } from '../errors.ts';
import { hasControlCharacter, type UciPackage } from './uci-model.ts';

export function quoteUci(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

export function serializeUci(pkg: UciPackage): string {
  const blocks: string[] = [];
  const names = new Set<string>();
  for (const s of pkg.sections) {
    if (s.name !== undefined) {
      // libuci merges a repeated name into the first section: it would not read back the same.
      if (names.has(s.name)) throw new UciValueError(`section name '${s.name}' is used twice`);
      names.add(s.name);
    }
    // libuci exports the type unquoted, so quote, escape, comment and ';' would not read back.
    if (!/^[\x21-\x7e]+$/.test(s.type) || /['"\\#;]/.test(s.type)) {
      throw new UciValueError(`section type '${s.type}' is not a valid UCI type`);
    }
    if (s.name !== undefined && !/^[A-Za-z0-9_]+$/.test(s.name)) {
      throw new UciValueError(`section name '${s.name}' is not a valid UCI name`);
    }
    const lines = [
      s.name === undefined ? `config ${s.type}` : `config ${s.type} ${quoteUci(s.name)}`,
    ];
    for (const [name, value] of s.options) {
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new UciValueError(
          `option name '${name}' in section ${s.name ?? s.type} is not valid`,
        );
      }
      const values = typeof value === 'string' ? [value] : value;
      for (const v of values) {
        if (hasControlCharacter(v)) {
          throw new UciValueError(`option ${name} holds a control character`);
        }
        // libuci deletes an option set to ''; a list needs at least one entry.
        if (typeof value === 'string' && v === '') {
          throw new UciValueError(`option ${name} in section ${s.name ?? s.type} is empty`);
        }
        lines.push(`\t${typeof value === 'string' ? 'option' : 'list'} ${name} ${quoteUci(v)}`);
      }
    }
    blocks.push(lines.join('\n') + '\n');
  }
  return blocks.join('\n');
}
