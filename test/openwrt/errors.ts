/**
 * Typed errors of the OpenWrt namespace harness, one class per condition, so a test can tell
 * "the command inside the node failed" from "the node never booted" by `name`.
 *
 * @example
 * try { await node.exec(['false']); } catch (e) { if (e instanceof CommandFailedError) e.code; }
 */
import { IntelliMeshError } from '../../src/core/errors.ts';

export class OpenWrtHarnessError extends IntelliMeshError {}

/** A command exited non-zero (or was killed) and the caller did not allow failure. */
export class CommandFailedError extends OpenWrtHarnessError {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
    reason = `exited with ${code}`,
  ) {
    const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-8).join('\n');
    super(`${argv.join(' ')}: ${reason}${tail ? `\n${tail}` : ''}`);
  }
}

/** `waitFor` reached its deadline; `last` is the probe's last answer or error. */
export class WaitTimeoutError extends OpenWrtHarnessError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: unknown,
  ) {
    const seen = last instanceof Error ? last.message : JSON.stringify(last);
    super(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
  }
}

/** procd did not come up, or exited while booting; the message carries the node's logs. */
export class BootFailedError extends OpenWrtHarnessError {}

/** Linux interface names are at most 15 bytes, with no '/', ':' or whitespace. */
export class InterfaceNameError extends OpenWrtHarnessError {
  constructor(readonly interfaceName: string) {
    super(`'${interfaceName}' is not a valid interface name (at most 15 bytes, no / : or spaces)`);
  }
}

/** The staged OpenWrt userland is missing and cannot be built here. */
export class StageUnavailableError extends OpenWrtHarnessError {}
