/**
 * The dashboard's status palette, in one place so every view means the same thing by a colour:
 * green is healthy, amber is weakened, red is broken, grey is unknown.
 *
 * @example
 * tqColour(240); // green
 * tqStatus(90); // 'bad'
 */

export const COLOURS = {
  good: '#2ecc71',
  warn: '#f5a623',
  bad: '#e74c3c',
  unknown: '#7f8c9a',
  lost: '#8e3b3b',
  gateway: '#4aa3ff',
  accent: '#4aa3ff',
} as const;

export type Health = 'good' | 'warn' | 'bad' | 'unknown';

/** Thresholds on B.A.T.M.A.N. TQ (0..255): roughly >78% good, >47% usable, below that poor. */
export const TQ_GOOD = 200;
export const TQ_WARN = 120;

export function tqStatus(tq: number | null | undefined): Health {
  if (tq == null) return 'unknown';
  if (tq >= TQ_GOOD) return 'good';
  if (tq >= TQ_WARN) return 'warn';
  return 'bad';
}

export function tqColour(tq: number | null | undefined): string {
  return COLOURS[tqStatus(tq)];
}

export function wanHealth(state: string): Health {
  switch (state) {
    case 'up':
      return 'good';
    case 'degraded':
      return 'warn';
    case 'down':
      return 'bad';
    default:
      return 'unknown';
  }
}

export function severityHealth(severity: string): Health {
  return severity === 'critical' ? 'bad' : severity === 'warning' ? 'warn' : 'unknown';
}
