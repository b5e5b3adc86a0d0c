/**
 * Every problem a zod schema finds in a document, each as `{ path, message }` in the words an
 * operator reads: `wans[0].weight: expected a number`, `ssid: required`, `ssidd: unknown key
 * (did you mean 'ssid'?)`. One unknown key is one issue at the key's own path, so a form can
 * show it next to the field and a CLI can list them all in one run.
 *
 * @example
 * const issues = schemaIssues(schema, doc); // [] when the document is valid
 */
import type { z } from 'zod';
import { formatPath } from './validation-path.ts';

export interface ValidationIssue {
  /** Where, as `wans[0].weight`; `(root)` for the document itself. */
  path: string;
  message: string;
}

/** The closest of `candidates` to `key`, when it is close enough to be a likely typo. */
export function didYouMean(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // A third of the key's length (at least 1, at most 3 edits) keeps suggestions plausible.
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The message for an unknown key, with a suggestion when one of the known keys is close. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = didYouMean(key, known);
  return guess ? `unknown key (did you mean '${guess}'?)` : 'unknown key';
}

const ARTICLE = /^[aeiou]/;

function typeName(expected: string): string {
  const name = expected === 'record' ? 'object' : expected;
  return `${ARTICLE.test(name) ? 'an' : 'a'} ${name}`;
}

/** zod's own English wording; a schema's custom message is kept as written. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized)/;

/** One zod issue in an operator's words (the path is reported apart). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? 'required'
        : `expected ${typeName(issue.expected)}`;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string' && min === 1) return 'must not be empty';
      if (issue.origin === 'array' || issue.origin === 'set')
        return `needs at least ${min} item${min === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `must be at least ${min} characters`;
      return issue.inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return `allows at most ${max} items`;
      if (issue.origin === 'string') return `must be at most ${max} characters`;
      return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
    }
    case 'invalid_value':
      return `expected one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return Number(issue.divisor) === 1
        ? 'expected a whole number'
        : `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

type KnownKeys = WeakMap<object, readonly string[]>;

/** Parses with an error map that remembers, per object, the keys its schema knows. */
export function safeParseKnowingKeys<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { result: z.ZodSafeParseResult<z.output<S>>; known: KnownKeys } {
  const known: KnownKeys = new WeakMap();
  const result = schema.safeParse(input, {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys' && typeof iss.input === 'object' && iss.input) {
        const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
          ?.shape;
        if (shape) known.set(iss.input, Object.keys(shape));
      }
      return undefined;
    },
  });
  return { result, known };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * A zod error as issues under `prefix`; unknown keys become one issue each, with a suggestion
 * when `known` (from `safeParseKnowingKeys`) has the keys their object allows.
 */
export function zodValidationIssues(
  error: z.ZodError,
  input: unknown,
  known?: KnownKeys,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const target = valueAt(input, issue.path);
      const keys = (typeof target === 'object' && target && known?.get(target)) || [];
      for (const key of issue.keys)
        out.push({ path: formatPath([...path, key]), message: unknownKeyMessage(key, keys) });
      continue;
    }
    out.push({ path: formatPath(path), message: issueMessage(issue) });
  }
  return out;
}

/** Every issue of `input` against `schema`; empty when it is valid. */
export function schemaIssues(
  schema: z.ZodType,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const { result, known } = safeParseKnowingKeys(schema, input);
  return result.success ? [] : zodValidationIssues(result.error, input, known, prefix);
}

/** Turns a dotted path (`members.0.wan`) from older validators into `members[0].wan`. */
export function dottedToPath(dotted: string): PropertyKey[] {
  if (dotted === '' || dotted === '(root)') return [];
  return dotted.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** An error of a hand-written validator that says where (a dotted path) and what. */
export interface PathedConfigError extends Error {
  readonly path: string;
  readonly detail: string;
}

/**
 * Every problem of a config checked in two stages: all shape errors of `schema` at once, then,
 * once the shape is right, the cross-field rule `parse` throws (an error of `errorType`).
 */
export function layeredIssues(
  schema: z.ZodType,
  parse: (input: unknown) => unknown,
  errorType: abstract new (...args: never[]) => PathedConfigError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const shape = schemaIssues(schema, input, prefix);
  if (shape.length > 0) return shape;
  try {
    parse(input);
    return [];
  } catch (e) {
    if (!(e instanceof errorType)) throw e;
    return [{ path: formatPath([...prefix, ...dottedToPath(e.path)]), message: e.detail }];
  }
}
