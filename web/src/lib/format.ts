/**
 * Short human formats for durations, ages, percentages and times on the dashboard.
 *
 * @example
 * formatDuration(93784); // '1d 2h 3m'
 * formatAge(5_000, 65_000); // '1 min ago'
 */

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function formatAge(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio == null ? '–' : `${Math.round(ratio * 1000) / 10}%`;
}

export function formatMs(ms: number | null | undefined): string {
  return ms == null ? '–' : `${Math.round(ms)} ms`;
}

export function formatTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '(absent)';
  return JSON.stringify(v);
}
