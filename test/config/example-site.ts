/**
 * The example site as a plain object for tests to mutate, and a helper that runs the full
 * load path (schema, env, rules) over a mutated copy.
 *
 * @example
 * const issues = issuesOf((s) => { s.vlans[1].id = 99; });
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseSite, type SiteIssue } from '../../src/config/index.ts';

export const examplePath = fileURLToPath(new URL('../../examples/site.yaml', import.meta.url));
export const exampleText = readFileSync(examplePath, 'utf8');

// Tests reach into the structure freely; the type system is not what is under test here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export function exampleObject(): Loose {
  return parse(exampleText);
}

export function issuesOf(
  mutate: (site: Loose) => void,
  env: Record<string, string> = {},
): SiteIssue[] {
  const site = exampleObject();
  mutate(site);
  const r = parseSite(JSON.stringify(site), { env });
  return r.ok ? [] : r.issues;
}
