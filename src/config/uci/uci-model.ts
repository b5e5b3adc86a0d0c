/**
 * The in-memory form of one UCI package (`/etc/config/<name>`): ordered sections, each with a
 * type, an optional name and ordered options whose values are strings or lists of strings.
 *
 * @example
 * const pkg = uciPackage([uciSection('interface', 'lan', { proto: 'static', dns: ['1.1.1.1'] })]);
 */
export type UciValue = string | string[];

export interface UciSection {
  type: string;
  /** Absent for anonymous sections (`config rule`). */
  name?: string;
  options: Map<string, UciValue>;
}

export interface UciPackage {
  sections: UciSection[];
}

/** Option values that are `undefined` or `false`-like absent are left out, in object order. */
export function uciSection(
  type: string,
  name: string | undefined,
  options: Record<string, UciValue | number | boolean | undefined>,
): UciSection {
  const map = new Map<string, UciValue>();
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length > 0) map.set(k, [...v]);
    } else if (typeof v === 'boolean') map.set(k, v ? '1' : '0');
    else map.set(k, String(v));
  }
  return name === undefined ? { type, options: map } : { type, name, options: map };
}

export function uciPackage(sections: UciSection[]): UciPackage {
  return { sections };
}

/** Plain-object form, for JSON output and deep equality in tests. */
export function uciToPlain(
  pkg: UciPackage,
): { type: string; name?: string; options: Record<string, UciValue> }[] {
  return pkg.sections.map((s) => ({
    type: s.type,
    ...(s.name !== undefined ? { name: s.name } : {}),
    options: Object.fromEntries(s.options),
  }));
}

/** libuci refuses values with control characters other than tab, newline and carriage return. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return true;
  }
  return false;
}
