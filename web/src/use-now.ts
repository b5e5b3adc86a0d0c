/**
 * The current time, refreshed every few seconds, so "2 min ago" labels stay true.
 *
 * @example
 * const now = useNow();
 */
import { useEffect, useState } from 'react';

export function useNow(everyMs = 5000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
