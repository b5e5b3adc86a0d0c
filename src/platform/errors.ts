/**
 * Typed errors of the platform adapters.
 *
 * @example
 * new CommandFailedError(['ip', 'rule', 'add'], 2, 'RTNETLINK answers: File exists').name; // 'CommandFailedError'
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A system command exited non-zero; carries the argv, exit code and stderr. */
export class CommandFailedError extends IntelliMeshError {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(
      `'${argv.join(' ')}' failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' | ')}`,
    );
  }
}

/** Platform options or a plan that cannot be carried out (unknown WAN, bad name). */
export class PlatformConfigError extends IntelliMeshError {}
