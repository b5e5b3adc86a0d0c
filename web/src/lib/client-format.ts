/**
 * How the dashboard words a Wi-Fi client: its association method, signal, handoff gap, and
 * what a search box may hold (a MAC address or part of one, with `:` or `-`, any case).
 *
 * @example
 * methodLabel('ft-over-air'); // 'FT over the air'
 * macQuery(' AA-BB '); // { q: 'aa:bb' }
 */
import { methodLabel as coreMethodLabel } from '../../../src/core/client-roam.ts';

export function methodLabel(method: string | null | undefined): string {
  return method ? coreMethodLabel(method) : '–';
}

/** 802.11r methods: the roam skipped the full authentication. */
export function isFastTransition(method: string | null | undefined): boolean {
  return method === 'ft-over-air' || method === 'ft-over-ds';
}

export function formatSignal(dbm: number | null | undefined): string {
  return dbm == null ? '–' : `${Math.round(dbm)} dBm`;
}

/** A signal's colour class, by the usual Wi-Fi thresholds (−67 dBm for voice, −80 barely usable). */
export function signalHealth(dbm: number | null | undefined): 'good' | 'warn' | 'bad' | 'unknown' {
  if (dbm == null) return 'unknown';
  if (dbm >= -67) return 'good';
  if (dbm >= -80) return 'warn';
  return 'bad';
}

/** Whole milliseconds under 10 s, one decimal of seconds above. */
export function formatGap(ms: number | null | undefined): string {
  if (ms == null) return '–';
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A search for a client: empty (everyone), a valid part of a MAC (normalised), or an error. */
export function macQuery(text: string): { q: string } | { error: string } {
  const t = text.trim();
  if (t === '') return { q: '' };
  if (!/^[0-9a-f:-]{1,17}$/i.test(t)) {
    return {
      error: `'${t.slice(0, 40)}' is not a MAC address or part of one (hex digits, : or -)`,
    };
  }
  return { q: t.toLowerCase().replaceAll('-', ':') };
}
