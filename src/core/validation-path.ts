/**
 * How every validator in the project names the place of an error: `nodes[2].wans[0].apn`, the
 * form operators read in config files, scenarios, credential lists and MQTT payloads alike.
 *
 * @example
 * formatPath(['nodes', 2, 'wans', 0, 'apn']); // 'nodes[2].wans[0].apn'
 */
import type { z } from 'zod';

export function formatPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return text || '(root)';
}

/** One line a zod issue: `path: message`. */
export function zodIssueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}
