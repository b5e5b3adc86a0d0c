/**
 * `${env:NAME}` references in site strings, so secrets can stay out of the file. A missing
 * variable is an issue at the path of the string, never a silent empty value.
 *
 * @example
 * substituteEnv({ key: '${env:MESH_KEY}' }, { MESH_KEY: 's3cret-key' }); // { value: { key: 's3cret-key' }, issues: [] }
 */
import { issue, type PathSegment, type SiteIssue } from './site-issue.ts';

const reference = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; issues: SiteIssue[] } {
  const issues: SiteIssue[] = [];
  const walk = (v: unknown, path: PathSegment[]): unknown => {
    if (typeof v === 'string') {
      return v.replace(reference, (whole, name: string) => {
        const found = env[name];
        if (found === undefined) {
          issues.push(issue(path, 'env-missing', `environment variable ${name} is not set`));
          return whole;
        }
        return found;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    }
    return v;
  };
  return { value: walk(value, []), issues };
}
