/**
 * One validation problem of a site file: where (a path like `nodes[2].wans[0].apn`), which rule,
 * and a message that never contains a secret.
 *
 * @example
 * formatPath(['nodes', 2, 'wans', 0, 'apn']); // 'nodes[2].wans[0].apn'
 */
export type PathSegment = string | number;

export interface SiteIssue {
  /** Dotted path into the site document; '' for the document itself. */
  path: string;
  /** Stable rule id, e.g. `vlan-id-unique`, `subnet-overlap`, `reference`. */
  rule: string;
  message: string;
  /** 1-based position in the YAML text, when the issue can be located there. */
  line?: number;
  col?: number;
  /** The raw segments of `path`, for mapping back to the document. */
  segments: PathSegment[];
}

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

export function issue(segments: PathSegment[], rule: string, message: string): SiteIssue {
  return { path: formatPath(segments), rule, message, segments };
}

/**
 * `site.yaml:12:5: nodes[2].wans[0].apn: message [reference]` — one line per issue; the rule id
 * is left out where it would only repeat the message (`ssid: required`, `ssidd: unknown key`).
 */
export function formatIssue(file: string, i: SiteIssue): string {
  const where = i.line !== undefined ? `${file}:${i.line}:${i.col ?? 1}` : file;
  const path = i.path === '' ? '' : ` ${i.path}:`;
  const rule = i.rule === 'required' || i.rule === 'unknown-key' ? '' : ` [${i.rule}]`;
  return `${where}:${path} ${i.message}${rule}`;
}
