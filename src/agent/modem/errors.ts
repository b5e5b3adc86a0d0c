/**
 * Typed errors of the modem adapters.
 *
 * @example
 * parseMmcliModem('not json'); // throws ModemOutputError: mmcli modem output at (document): ...
 */
import { IntelliMeshError } from '../../core/errors.ts';

/** Output of mmcli or uqmi that is not what the command prints; `where` names the field. */
export class ModemOutputError extends IntelliMeshError {
  constructor(
    readonly source: string,
    readonly where: string,
    detail: string,
  ) {
    super(`${source} output at ${where}: ${detail}`);
  }
}
