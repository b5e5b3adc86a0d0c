/**
 * Typed errors of the configuration layer, one class per condition.
 *
 * @example
 * try { parseUci("config 'x"); } catch (e) { if (e instanceof UciSyntaxError) console.log(e.line, e.col); }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** A UCI file that OpenWrt's parser would reject; `line`/`col` are 1-based. */
export class UciSyntaxError extends IntelliMeshError {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly col: number,
    readonly source = '<uci>',
  ) {
    super(`${source}:${line}:${col}: ${reason}`);
  }
}

/** A value the serializer cannot write so that the parser reads it back unchanged. */
export class UciValueError extends IntelliMeshError {}

/** A node id that the site file does not define. */
export class UnknownNodeError extends IntelliMeshError {
  constructor(readonly nodeId: string) {
    super(`node '${nodeId}' is not defined in the site`);
  }
}

/** Rendering was asked for a site that has not passed validation. */
export class InvalidSiteError extends IntelliMeshError {
  constructor(readonly issueCount: number) {
    super(`the site has ${issueCount} validation error(s); run 'config validate' to list them`);
  }
}

/** A tar entry that ustar cannot hold (name too long, bad mode). */
export class ArchiveEntryError extends IntelliMeshError {}

/** A node's current file that cannot be read for a diff (not UCI syntax: see UciSyntaxError). */
export class CurrentFileError extends IntelliMeshError {}
