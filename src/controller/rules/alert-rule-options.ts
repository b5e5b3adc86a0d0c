/**
 * Thresholds of the controller's time-based alert rules (degraded link, gateway flapping), with
 * defaults tuned on the demo mesh (1 s OGMs, 2 % background loss, state every 2 s). Measured on
 * the simulated demo (16 links degraded to 60 % loss, two seeds): the alert opened 5.5 to 8.5 s
 * after the fault and closed 11.5 to 14 s after the repair; 30 minutes of the healthy mesh
 * (38 links) on each of two seeds opened none. Judging the worse direction alone over 8 OGMs (or the mean with a 25 %
 * threshold) opened a false alert every few minutes: 2 % loss loses 3 of 8 often enough.
 * Every figure can be set from the controller's options.
 *
 * @example
 * const o = resolveAlertRuleOptions({ link: { lossOpen: 0.5 } });
 * o.link.openAfterMs; // 2000
 */
import { IntelliMeshError } from '../../core/errors.ts';

export interface LinkRuleOptions {
  /**
   * A link whose two directions lose on average at least this share of their recent OGMs (the
   * last 8 each) is bad, 0..1. @default 0.3
   */
  lossOpen: number;
  /** ...and good again at or below this share. @default 0.15 */
  lossClose: number;
  /** A link losing at least this share one way (the other way fine) is bad too. @default 0.6 */
  lossOneWayOpen: number;
  /** ...and good again at or below this share one way. @default 0.3 */
  lossOneWayClose: number;
  /** A link whose worse direction's TQ is below this is bad (0..255). @default 100 */
  tqOpen: number;
  /** ...and good again at or above this. @default 130 */
  tqClose: number;
  /** How long a link must stay bad before the alert opens, ms. @default 2000 */
  openAfterMs: number;
  /** How long it must stay good before the alert closes, ms. @default 6000 */
  closeAfterMs: number;
  /** Links of a node up for less than this are not judged yet (their TQ still climbs), ms. @default 20000 */
  bootGraceMs: number;
}

export interface FlapRuleOptions {
  /** More gateway changes than this within `windowMs` is flapping. @default 3 */
  maxChanges: number;
  /** @default 300000 (5 min) */
  windowMs: number;
  /** The alert closes after this long without a change. @default windowMs */
  quietMs: number;
}

export interface AlertRuleOptions {
  link: LinkRuleOptions;
  flap: FlapRuleOptions;
}

export interface AlertRuleOptionsInput {
  link?: Partial<LinkRuleOptions>;
  flap?: Partial<FlapRuleOptions>;
}

export const DEFAULT_LINK_RULE: LinkRuleOptions = {
  lossOpen: 0.3,
  lossClose: 0.15,
  lossOneWayOpen: 0.6,
  lossOneWayClose: 0.3,
  tqOpen: 100,
  tqClose: 130,
  openAfterMs: 2_000,
  closeAfterMs: 6_000,
  bootGraceMs: 20_000,
};

/** A figure out of range: the controller refuses to start rather than alert on nonsense. */
export class AlertRuleOptionError extends IntelliMeshError {}

export function resolveAlertRuleOptions(input: AlertRuleOptionsInput = {}): AlertRuleOptions {
  const link = { ...DEFAULT_LINK_RULE, ...input.link };
  const windowMs = input.flap?.windowMs ?? 300_000;
  const flap = { maxChanges: 3, windowMs, quietMs: windowMs, ...input.flap };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new AlertRuleOptionError(`alert rule option ${what}`);
  };
  check(
    link.lossClose >= 0 && link.lossClose <= link.lossOpen && link.lossOpen <= 1,
    `link loss: need 0 <= lossClose (${link.lossClose}) <= lossOpen (${link.lossOpen}) <= 1`,
  );
  check(
    link.tqOpen >= 0 && link.tqOpen <= link.tqClose && link.tqClose <= 255,
    `link TQ: need 0 <= tqOpen (${link.tqOpen}) <= tqClose (${link.tqClose}) <= 255`,
  );
  check(
    link.openAfterMs >= 0 && link.closeAfterMs >= 0 && link.bootGraceMs >= 0,
    'link openAfterMs, closeAfterMs and bootGraceMs must be >= 0',
  );
  check(
    Number.isInteger(flap.maxChanges) && flap.maxChanges >= 1,
    `flap maxChanges must be an integer >= 1 (got ${flap.maxChanges})`,
  );
  check(flap.windowMs > 0 && flap.quietMs > 0, 'flap windowMs and quietMs must be > 0');
  return { link, flap };
}
