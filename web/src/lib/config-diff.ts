/**
 * The difference between two JSON configurations as a flat list of changed leaves, with paths
 * written as the controller writes them (`members[0].weight`), so the editor can count pending
 * changes as the operator types; the preview before a push comes from the controller. Arrays
 * compare by index, which is how the editor changes them.
 *
 * @example
 * configDiff({ a: 1, b: [1] }, { a: 2, b: [1, 2] });
 * // [{ path: 'a', from: 1, to: 2 }, { path: 'b[1]', from: undefined, to: 2 }]
 */

export interface DiffEntry {
  path: string;
  from: unknown;
  to: unknown;
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Writes a path as the controller does: `members[0].weight`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, key) => join(acc, key), '') || '(root)';
}

/** Reads a path written by formatPath back into its keys. */
export function parsePath(text: string): (string | number)[] {
  if (text === '(root)') return [];
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : m[1]!,
  );
}

export function configDiff(from: unknown, to: unknown, base = ''): DiffEntry[] {
  if (isContainer(from) && isContainer(to) && Array.isArray(from) === Array.isArray(to)) {
    const keys = Array.isArray(from)
      ? Array.from({ length: Math.max(from.length, (to as unknown[]).length) }, (_, i) => i)
      : [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    const out: DiffEntry[] = [];
    for (const key of keys) {
      const a = (from as Record<string | number, unknown>)[key];
      const b = (to as Record<string | number, unknown>)[key];
      const hasA = Object.prototype.hasOwnProperty.call(from, key);
      const hasB = Object.prototype.hasOwnProperty.call(to, key);
      if (!hasA) out.push({ path: join(base, key), from: undefined, to: b });
      else if (!hasB) out.push({ path: join(base, key), from: a, to: undefined });
      else out.push(...configDiff(a, b, join(base, key)));
    }
    return out;
  }
  return Object.is(from, to) ? [] : [{ path: base === '' ? '(root)' : base, from, to }];
}

/** Sets the leaf at `path` (as produced by configDiff) in a copy of `root`. */
export function setAtPath(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[Number(head)] = setAtPath(copy[Number(head)], rest, value);
    return copy;
  }
  const obj = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  return { ...obj, [head]: setAtPath(obj[head], rest, value) };
}
