/**
 * What a (re)association costs in time, phase by phase, with spread: scan/probe, 802.11
 * authentication (open system, SAE commit/confirm or FT authentication), (re)association, and
 * the key handshake (4-way after a PSK or SAE PMK, full EAP-TLS then 4-way, or only the 4-way
 * with a cached PMKSA). The station receives nothing for the whole of it.
 *
 * Each phase is drawn from a triangular distribution whose bounds come from published
 * measurements; docs/roaming.md says which figure came from which source. Where no measurement
 * was found (SAE's commit/confirm), the range is an estimate and the docs say so.
 *
 * @example
 * const r = sampleAssociation({ auth: 'psk', ft: 'over-air', roam: true, pmkCached: false }, rng);
 * r.method; // 'ft-over-air'
 * r.phases.total_ms; // 15..55
 */
import type { Random } from '../../core/random.ts';
import { triangular } from './gaussian.ts';

export type AuthMethod = 'open' | 'psk' | 'sae' | '8021x';
export type FtMode = false | 'over-air' | 'over-ds';
export type AssocMethod = 'open' | 'psk' | 'sae' | '8021x' | 'ft-over-air' | 'ft-over-ds';

/** A triangular range, ms. */
export interface PhaseRange {
  min: number;
  mode: number;
  max: number;
}

export interface AssocTimings {
  /** Active scan over the channels (Mishra, Shin, Arbaugh 2003: > 90 % of a handoff). */
  probe: PhaseRange;
  /** Open-system authentication, 2 frames. */
  openAuth: PhaseRange;
  /** (Re)association request/response, 2 frames. */
  assoc: PhaseRange;
  /** SAE commit/confirm, 4 frames with elliptic-curve work on both ends (estimate). */
  saeAuth: PhaseRange;
  /** The 4-way handshake after a PSK/SAE PMK. */
  fourWay: PhaseRange;
  /** Full 802.1X EAP-TLS with the RADIUS round trips, then the 4-way handshake. */
  eapTls: PhaseRange;
  /** Chance that EAP-TLS lands in its long tail (slow or distant authentication server). */
  eapTlsTailChance: number;
  eapTlsTail: PhaseRange;
  /** 4-way handshake on a cached PMKSA (802.11i PMK caching). */
  pmksaCached: PhaseRange;
  /** FT over the air: FT authentication + reassociation, 4 frames to the target AP. */
  ftOverAir: PhaseRange;
  /** FT over the DS: only the reassociation leaves the old AP; the FT request went through it. */
  ftOverDs: PhaseRange;
}

export const DEFAULT_TIMINGS: AssocTimings = {
  probe: { min: 40, mode: 90, max: 400 },
  openAuth: { min: 1, mode: 2, max: 6 },
  assoc: { min: 1, mode: 3, max: 8 },
  saeAuth: { min: 10, mode: 25, max: 60 },
  fourWay: { min: 40, mode: 55, max: 90 },
  eapTls: { min: 150, mode: 220, max: 350 },
  eapTlsTailChance: 0.05,
  eapTlsTail: { min: 350, mode: 450, max: 800 },
  pmksaCached: { min: 40, mode: 50, max: 70 },
  ftOverAir: { min: 15, mode: 30, max: 55 },
  ftOverDs: { min: 5, mode: 12, max: 34 },
};

export interface AssocPhases {
  probe_ms: number;
  auth_ms: number;
  assoc_ms: number;
  key_ms: number;
  total_ms: number;
}

export interface AssocRequest {
  auth: AuthMethod;
  ft: FtMode;
  /** A reassociation from another AP of the same SSID (FT only applies to those). */
  roam: boolean;
  /** 802.1X only: a PMKSA for the target AP is still cached. */
  pmkCached: boolean;
}

export interface AssocCost {
  method: AssocMethod;
  phases: AssocPhases;
}

const draw = (random: Random, r: PhaseRange): number => triangular(random, r.min, r.mode, r.max);
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Draws the cost of one (re)association. */
export function sampleAssociation(
  req: AssocRequest,
  random: Random,
  t: AssocTimings = DEFAULT_TIMINGS,
): AssocCost {
  // FT needs a first, full association in the mobility domain; later roams use it and skip the
  // scan (the target is known from the neighbour list or the last scan, as 802.11k provides).
  if (req.roam && req.ft !== false && req.auth !== 'open') {
    const total = draw(random, req.ft === 'over-air' ? t.ftOverAir : t.ftOverDs);
    // Split the draw for reporting: FT auth is about half of the over-the-air exchange.
    const auth = req.ft === 'over-air' ? total / 2 : 0;
    return {
      method: req.ft === 'over-air' ? 'ft-over-air' : 'ft-over-ds',
      phases: {
        probe_ms: 0,
        auth_ms: round(auth),
        assoc_ms: round(total - auth),
        key_ms: 0,
        total_ms: round(total),
      },
    };
  }
  const probe = draw(random, t.probe);
  const auth = draw(random, req.auth === 'sae' ? t.saeAuth : t.openAuth);
  const assoc = draw(random, t.assoc);
  let key = 0;
  switch (req.auth) {
    case 'open':
      break;
    case 'psk':
    case 'sae':
      key = draw(random, t.fourWay);
      break;
    case '8021x':
      if (req.pmkCached) key = draw(random, t.pmksaCached);
      else key = draw(random, random.next() < t.eapTlsTailChance ? t.eapTlsTail : t.eapTls);
      break;
  }
  return {
    method: req.auth,
    phases: {
      probe_ms: round(probe),
      auth_ms: round(auth),
      assoc_ms: round(assoc),
      key_ms: round(key),
      total_ms: round(probe + auth + assoc + key),
    },
  };
}
