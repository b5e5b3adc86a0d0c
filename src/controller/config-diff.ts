/**
 * What a configuration change would change, as a list of paths with old and new values, for the
 * dashboard's preview before a push.
 *
 * @example
 * configDiff({ a: { w: 1 } }, { a: { w: 2 } }); // [{ path: 'a.w', from: 1, to: 2 }]
 */
import diff from 'microdiff';
import { formatPath } from '../core/validation-path.ts';

export interface ConfigChange {
  path: string;
  from: unknown;
  to: unknown;
}

export function configDiff(
  current: Record<string, unknown>,
  next: Record<string, unknown>,
): ConfigChange[] {
  return diff(current, next).map((d) => ({
    path: formatPath(d.path),
    from: d.type === 'CREATE' ? undefined : d.oldValue,
    to: d.type === 'REMOVE' ? undefined : d.value,
  }));
}
