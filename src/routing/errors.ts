/**
 * Typed errors of the routing engine: one class per condition, told apart by `name`.
 *
 * @example
 * try { decodeOgmFrame(bytes); } catch (e) { if (e instanceof OgmDecodeError) console.log(e.offset); }
 */
import { IntelliMeshError } from '../core/errors.ts';

/** An OGM frame that is truncated, of another version, or otherwise malformed. */
export class OgmDecodeError extends IntelliMeshError {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`OGM frame invalid at byte ${offset}: ${detail}`);
  }
}

/** An engine option outside its allowed range (interval, hop penalty, gateway class, ...). */
export class RoutingOptionError extends IntelliMeshError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`routing option ${option}: ${detail}`);
  }
}

/** A unicast translation-table message (TT request, TT response, roaming advertisement) that is malformed. */
export class TtDecodeError extends IntelliMeshError {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`TT message invalid at byte ${offset}: ${detail}`);
  }
}

/** A client MAC address that is not six lower-case hex pairs separated by colons. */
export class ClientMacError extends IntelliMeshError {
  constructor(readonly mac: string) {
    super(`client MAC '${mac}' is not of the form aa:bb:cc:dd:ee:ff (lower-case hex)`);
  }
}

/** A translation-table call on an engine whose `translationTable` option is off. */
export class TranslationTableOffError extends IntelliMeshError {
  constructor(call: string) {
    super(`${call}: the engine's translationTable option is off (routing.translation_table)`);
  }
}
