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

/** The firmware image could not be fetched: network error, HTTP status, timeout, bad URL. */
export class DownloadFailedError extends IntelliMeshError {}

/** The firmware image is larger than allowed, or than the free temporary storage. */
export class ImageTooLargeError extends IntelliMeshError {}

/** The system refused the image for this device (`sysupgrade -T` failed). */
export class ImageTestFailedError extends IntelliMeshError {}

/** Installing the image failed before the reboot (`sysupgrade` exited non-zero). */
export class InstallFailedError extends IntelliMeshError {}

/** The running firmware's version could not be read (`/etc/openwrt_release` missing or empty). */
export class FirmwareVersionError extends IntelliMeshError {}
