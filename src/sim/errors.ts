/**
 * Typed errors of the simulator: one class per condition, told apart by `name`.
 *
 * @example
 * try { parseScenario(text, 'a.yaml'); } catch (e) { if (e instanceof ScenarioError) console.log(e.path); }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A scenario file that is not YAML, or does not match the schema; names the file and path. */
export class ScenarioError extends IntelliMeshError {
  constructor(
    readonly file: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${file}: ${path === '' ? '' : `${path}: `}${detail}`);
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
