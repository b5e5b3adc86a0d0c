/**
 * Typed errors of the simulator: one class per condition, told apart by `name`.
 *
 * @example
 * try { parseScenario(text, 'a.yaml'); } catch (e) { if (e instanceof ScenarioError) console.log(e.path); }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A scenario file that is not YAML, or does not match the schema; names the file and path. */
export class ScenarioError extends IntelliMeshError {
  /** Every problem found in one run; the first is `path`. */
  readonly issues: readonly { path: string; message: string }[];

  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
    issues?: readonly { path: string; message: string }[],
  ) {
    const all = issues ?? [{ path, message: detail }];
    const line = (i: { path: string; message: string }) =>
      `${i.path === '' ? '' : `${i.path}: `}${i.message}`;
    super(
      all.length === 1
        ? `${file}: ${line(all[0]!)}`
        : `${file}: ${all.length} errors:\n${all.map((i) => `  ${line(i)}`).join('\n')}`,
    );
    this.issues = all;
  }
}

/** A fault, flow or link that names a node, link or WAN the topology does not have. */
export class UnknownTargetError extends IntelliMeshError {
  constructor(
    readonly what: string,
    readonly target: string,
  ) {
    super(`unknown ${what} '${target}'`);
  }
}
