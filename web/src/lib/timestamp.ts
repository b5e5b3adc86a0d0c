/**
 * A point in time for tables: the clock time for today, the date and minute otherwise, in the
 * browser's time zone; the full ISO time goes in the tooltip.
 *
 * @example
 * formatTimestamp(at, now); // '12:03:04' today, '2026-12-05 23:10' on another day
 */
import { formatTime } from './format.ts';

export function formatTimestamp(at: number, now: number): string {
  const d = new Date(at);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return formatTime(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
