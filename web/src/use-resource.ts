/**
 * Fetches one API resource and fetches it again when a live change concerns it. Changes are
 * coalesced for a short moment so a burst of node updates costs one request, well within the
 * 2 s the dashboard promises. An answer the controller marks as missing an announced change
 * (`X-Refresh-After-Ms`, the overview and topology snapshots) is fetched again when it says.
 *
 * @example
 * const { data, error } = useResource<NodeRecord[]>('/api/nodes', (c) => c.type === 'node');
 */
import { useEffect, useRef, useState } from 'react';
import type { LiveChange } from './api/types.ts';
import { useApp } from './app-context.ts';

const COALESCE_MS = 150;
/** Past the controller's hint, so the snapshot's interval has surely ended when we ask. */
const REFRESH_MARGIN_MS = 20;

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

export function useResource<T>(
  path: string | null,
  affects: (change: LiveChange) => boolean = () => false,
): Resource<T> {
  const { api, feed } = useApp();
  // Kept with the path it answers, so another path never shows the previous one's data.
  const [state, setState] = useState<{ path: string; data: T } | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const affectsRef = useRef(affects);
  affectsRef.current = affects;

  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    let again: ReturnType<typeof setTimeout> | undefined;
    api.getRead<T>(path).then(
      ({ data: d, refreshAfterMs }) => {
        if (cancelled) return;
        setState({ path, data: d });
        setError(undefined);
        if (refreshAfterMs > 0) {
          again = setTimeout(() => setTick((t) => t + 1), refreshAfterMs + REFRESH_MARGIN_MS);
        }
      },
      (e: unknown) => {
        if (!cancelled) setError(e as Error);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(again);
    };
  }, [api, path, tick]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = feed.subscribe((changes) => {
      const wildcard = changes.some((c) => c.type === 'node' && c.node === '*');
      if (!wildcard && !changes.some((c) => affectsRef.current(c))) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setTick((t) => t + 1);
      }, COALESCE_MS);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [feed]);

  const data = state && state.path === path ? state.data : undefined;
  return { data, error, reload: () => setTick((t) => t + 1) };
}
