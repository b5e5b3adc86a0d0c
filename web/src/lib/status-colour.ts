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

/** Thresholds on a link's recent loss (0..1, over its last 8 OGMs): at most 2 of 8 lost is good. */
export const LOSS_WARN = 0.3;
export const LOSS_BAD = 0.5;

export function lossStatus(loss: number | null | undefined): Health {
  if (loss == null) return 'unknown';
  if (loss >= LOSS_BAD) return 'bad';
  if (loss >= LOSS_WARN) return 'warn';
  return 'good';
}

const RANK: Record<Health, number> = { unknown: 0, good: 1, warn: 2, bad: 3 };

/**
 * A link's health: the worse of its TQ (a 64-OGM average, what routing uses, slow to move) and
 * its recent loss (the last 8 OGMs, quick). Loss makes a degradation show within seconds; after a
 * repair the TQ keeps the link amber until its window refills (about 30 s), which is true:
 * routing still rates the link lower until then. `recovering` says that is what is happening.
 */
export function linkHealth(
  tq: number | null | undefined,
  loss: number | null | undefined,
): { status: Health; recovering: boolean } {
  const byTq = tqStatus(tq);
  const byLoss = lossStatus(loss);
  const status = RANK[byLoss] > RANK[byTq] ? byLoss : byTq;
  return { status, recovering: byLoss === 'good' && RANK[byTq] > RANK.good };
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
