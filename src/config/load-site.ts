/**
 * Site file text -> a typed, validated `Site`, or every problem found: YAML syntax errors with
 * line:col, schema issues, `${env:NAME}` references that are not set, and the cross-field rules
 * of `validate-site.ts`, each located in the YAML where possible.
 *
 * @example
 * const r = await loadSite('examples/site.yaml');
 * if (!r.ok) for (const i of r.issues) console.error(formatIssue('site.yaml', i));
 */
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import {
  issueMessage,
  safeParseKnowingKeys,
  unknownKeyMessage,
} from '../core/validation-issues.ts';
import { substituteEnv } from './env-substitution.ts';
import { formatPath, type PathSegment, type SiteIssue } from './site-issue.ts';
import { siteSchema, type Site } from './site-schema.ts';
import { validatePartialSite, validateSite } from './validate-site.ts';

type KnownKeys = ReturnType<typeof safeParseKnowingKeys>['known'];

export type SiteResult = { ok: true; site: Site } | { ok: false; issues: SiteIssue[] };

export interface ParseSiteOptions {
  /** Where `${env:NAME}` values come from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads and checks a site file from disk, or site text given as `{ text }`. */
export async function loadSite(
  source: string | { text: string },
  options: ParseSiteOptions = {},
): Promise<SiteResult> {
  const text = typeof source === 'string' ? await readFile(source, 'utf8') : source.text;
  return parseSite(text, options);
}

/** Checks site text (YAML, of which JSON is a subset). */
export function parseSite(text: string, options: ParseSiteOptions = {}): SiteResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return {
          path: '',
          rule: 'yaml-syntax',
          message: e.message.split('\n')[0] ?? e.message,
          line: at.line,
          col: at.col,
          segments: [],
        };
      }),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses alias bombs ("billion laughs") while expanding; that is bad input, not a crash.
    return {
      ok: false,
      issues: [{ path: '', rule: 'yaml-aliases', message: (err as Error).message, segments: [] }],
    };
  }
  const env = substituteEnv(raw, options.env ?? process.env);
  const { result: parsed, known } = safeParseKnowingKeys(siteSchema, env.value);
  const issues = [...env.issues];
  if (!parsed.success) {
    const schemaIssues = fromZod(parsed.error, env.value, known);
    issues.push(...schemaIssues);
    // Cross-field rules over what did parse, minus anything under an already broken path.
    const broken = [...schemaIssues, ...env.issues].map((i) => i.path);
    const related = (a: string, b: string) =>
      a === b ||
      a.startsWith(`${b}.`) ||
      a.startsWith(`${b}[`) ||
      b.startsWith(`${a}.`) ||
      b.startsWith(`${a}[`);
    issues.push(
      ...validatePartialSite(bestEffort(env.value)).filter(
        (i) => i.path !== '' && !broken.some((b) => b !== '' && related(i.path, b)),
      ),
    );
  } else {
    // An unresolved reference would also fail e.g. the key length rule; report it once.
    const missing = new Set(env.issues.map((i) => i.path));
    issues.push(...validateSite(parsed.data).filter((i) => !missing.has(i.path)));
  }
  if (issues.length > 0 || !parsed.success) {
    return { ok: false, issues: issues.map((i) => locate(i, doc, lines)) };
  }
  return { ok: true, site: parsed.data };
}

/** Schema issues in the shared wording; one issue per unknown key, with a likely meant key. */
function fromZod(error: z.ZodError, input: unknown, known: KnownKeys): SiteIssue[] {
  const out: SiteIssue[] = [];
  for (const z of error.issues) {
    const segments = z.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (z.code === 'unrecognized_keys') {
      const target = valueAt(input, segments);
      const keys = (typeof target === 'object' && target && known.get(target)) || [];
      for (const key of z.keys) {
        const at = [...segments, key];
        out.push({
          path: formatPath(at),
          rule: 'unknown-key',
          message: unknownKeyMessage(key, keys),
          segments: at,
        });
      }
      continue;
    }
    const message = issueMessage(z);
    const rule = message === 'required' ? 'required' : z.code.replaceAll('_', '-');
    out.push({ path: formatPath(segments), rule, message, segments });
  }
  return out;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PathSegment, unknown>)[p];
  }
  return v;
}

/** Points an issue at its YAML node, or the nearest ancestor that exists (for missing keys). */
function locate(i: SiteIssue, doc: Document, lines: LineCounter): SiteIssue {
  for (let n = i.segments.length; n >= 0; n--) {
    const node = doc.getIn(i.segments.slice(0, n), true);
    if (isNode(node) && node.range) {
      const at = lines.linePos(node.range[0]);
      return { ...i, line: at.line, col: at.col };
    }
  }
  return i;
}

/**
 * The site with defaults applied to every part that passes its own schema, descending into
 * objects, lists and tagged unions that do not; values that fail are left as written.
 */
function bestEffort(value: unknown, schema: z.ZodType = siteSchema): unknown {
  const whole = schema.safeParse(value);
  if (whole.success) return whole.data;
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  const isRecord = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (s instanceof z.ZodObject && isRecord) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [key, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      out[key] = bestEffort(out[key], field);
    }
    return out;
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) {
    return value.map((x: unknown) => bestEffort(x, s.element as z.ZodType));
  }
  if (s instanceof z.ZodDiscriminatedUnion && isRecord) {
    const tag = s.def.discriminator;
    const tagValue = (value as Record<string, unknown>)[tag];
    for (const option of s.options as z.ZodType[]) {
      const shape =
        option instanceof z.ZodObject ? (option.shape as Record<string, z.ZodType>) : {};
      if (shape[tag]?.safeParse(tagValue).success) return bestEffort(value, option);
    }
  }
  return value;
}
