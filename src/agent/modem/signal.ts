/**
 * LTE signal metrics and a coarse quality grade, from the usual field thresholds (RSRP in dBm,
 * SINR in dB): the grade is the worse of the two, so a strong but noisy cell is not "excellent".
 *
 * @example
 * signalGrade({ rssiDbm: -65, rsrpDbm: -95, rsrqDb: -11, sinrDb: 12 }); // 'fair'
 */
export interface SignalMetrics {
  rssiDbm: number | null;
  rsrpDbm: number | null;
  rsrqDb: number | null;
  sinrDb: number | null;
}

export type SignalGrade = 'excellent' | 'good' | 'fair' | 'poor' | 'unknown';

const order: SignalGrade[] = ['poor', 'fair', 'good', 'excellent'];

function rsrpGrade(v: number): SignalGrade {
  return v >= -80 ? 'excellent' : v >= -90 ? 'good' : v >= -100 ? 'fair' : 'poor';
}

function sinrGrade(v: number): SignalGrade {
  return v >= 20 ? 'excellent' : v >= 13 ? 'good' : v >= 0 ? 'fair' : 'poor';
}

export function signalGrade(m: SignalMetrics): SignalGrade {
  const grades = [
    m.rsrpDbm === null ? null : rsrpGrade(m.rsrpDbm),
    m.sinrDb === null ? null : sinrGrade(m.sinrDb),
  ].filter((g): g is SignalGrade => g !== null);
  if (grades.length === 0) return 'unknown';
  return order[Math.min(...grades.map((g) => order.indexOf(g)))]!;
}
