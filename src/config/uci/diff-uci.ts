/**
 * What applying a desired UCI package over the current one would change, section by section
 * and option by option. Named sections match by name; anonymous ones by type and position
 * (`@rule[2]`), as `uci show` addresses them.
 *
 * @example
 * for (const c of diffUci('network', current, desired)) console.log(formatUciChange(c));
 */
import { quoteUci } from './serialize-uci.ts';
import type { UciPackage, UciSection, UciValue } from './uci-model.ts';

export type UciChange =
  | { kind: 'add-section'; config: string; section: string; type: string }
  | { kind: 'remove-section'; config: string; section: string; type: string }
  | { kind: 'retype-section'; config: string; section: string; from: string; to: string }
  | { kind: 'add-option'; config: string; section: string; option: string; to: UciValue }
  | { kind: 'remove-option'; config: string; section: string; option: string; from: UciValue }
  | {
      kind: 'change-option';
      config: string;
      section: string;
      option: string;
      from: UciValue;
      to: UciValue;
    };

/** Options whose values are secrets: diffs show that they change, never what they hold. */
const secretOptions = new Set(['key', 'password', 'pincode', 'sae_password', 'auth_secret']);

function keyed(pkg: UciPackage | undefined): Map<string, UciSection> {
  const out = new Map<string, UciSection>();
  const counts = new Map<string, number>();
  for (const s of pkg?.sections ?? []) {
    const index = counts.get(s.type) ?? 0;
    counts.set(s.type, index + 1);
    out.set(s.name ?? `@${s.type}[${index}]`, s);
  }
  return out;
}

function same(a: UciValue, b: UciValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Changes that turn `current` (absent: an empty file) into `desired`. */
export function diffUci(
  config: string,
  current: UciPackage | undefined,
  desired: UciPackage,
): UciChange[] {
  const before = keyed(current);
  const after = keyed(desired);
  const changes: UciChange[] = [];
  for (const [section, want] of after) {
    const have = before.get(section);
    if (!have) {
      changes.push({ kind: 'add-section', config, section, type: want.type });
    } else if (have.type !== want.type) {
      changes.push({ kind: 'retype-section', config, section, from: have.type, to: want.type });
    }
    const old = have?.options ?? new Map<string, UciValue>();
    for (const [option, to] of want.options) {
      const from = old.get(option);
      if (from === undefined) changes.push({ kind: 'add-option', config, section, option, to });
      else if (!same(from, to)) {
        changes.push({ kind: 'change-option', config, section, option, from, to });
      }
    }
    for (const [option, from] of old) {
      if (!want.options.has(option)) {
        changes.push({ kind: 'remove-option', config, section, option, from });
      }
    }
  }
  for (const [section, have] of before) {
    if (!after.has(section)) {
      changes.push({ kind: 'remove-section', config, section, type: have.type });
    }
  }
  return changes;
}

function show(option: string, v: UciValue): string {
  if (secretOptions.has(option)) return "'***'";
  return typeof v === 'string' ? quoteUci(v) : `[${v.map(quoteUci).join(' ')}]`;
}

/** One line per change, in `uci` notation: `+ network.lan.proto='static'`. */
export function formatUciChange(c: UciChange): string {
  const at = `${c.config}.${c.section}`;
  switch (c.kind) {
    case 'add-section':
      return `+ ${at}=${c.type}`;
    case 'remove-section':
      return `- ${at}=${c.type}`;
    case 'retype-section':
      return `~ ${at}=${c.from} -> ${c.to}`;
    case 'add-option':
      return `+ ${at}.${c.option}=${show(c.option, c.to)}`;
    case 'remove-option':
      return `- ${at}.${c.option}=${show(c.option, c.from)}`;
    case 'change-option':
      return `~ ${at}.${c.option}=${show(c.option, c.from)} -> ${show(c.option, c.to)}`;
  }
}
