/** Errors of building the OpenWrt package: a name, version, path or field opkg would refuse. */
import { IntelliMeshError } from '../../core/errors.ts';

export class PackageError extends IntelliMeshError {}
