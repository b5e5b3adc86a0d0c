/**
 * The topology's client overlay, live: client counts per AP from `GET /api/clients` (kept
 * current from the feed's `client` changes) and a fading arrow for each roam the feed reports, kept for
 * ROAM_FLASH_MS. Also the last few roams, for the list under the canvas. A controller without
 * the clients API (404) simply gives an empty overlay.
 *
 * @example
 * const { overlay, recent } = useClientOverlay();
 * <TopologyCanvas model={model} overlay={overlay} />
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { isClientChange, type ClientList, type ClientRecord } from '../api/client-types.ts';
import { useApp } from '../app-context.ts';
import {
  activeRoams,
  clientCounts,
  RoamWatcher,
  ROAM_FLASH_MS,
  type ClientOverlay,
  type RoamFlash,
} from '../lib/client-overlay.ts';
import { useResource } from '../use-resource.ts';

/** How many recent roams the list under the topology keeps. */
const RECENT = 5;

export interface RecentRoam extends RoamFlash {
  /** Wall-clock time the dashboard saw it, for the list. */
  seenAt: number;
}

export function useClientOverlay(): { overlay: ClientOverlay; recent: readonly RecentRoam[] } {
  const { feed } = useApp();
  // Fetched once (and again after a reconnect); each `client` change carries the whole record,
  // so the list is kept current from the feed instead of re-reading every client per change.
  const list = useResource<ClientList>('/api/clients');
  const [clients, setClients] = useState<ReadonlyMap<string, ClientRecord>>(new Map());
  const watcher = useRef(new RoamWatcher());
  const [flashes, setFlashes] = useState<RecentRoam[]>([]);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!list.data) return;
    watcher.current.seed(list.data.clients);
    setClients(new Map(list.data.clients.map((c) => [c.mac, c])));
  }, [list.data]);

  useEffect(
    () =>
      feed.subscribe((changes) => {
        const seen: RecentRoam[] = [];
        const updated: ClientRecord[] = [];
        for (const c of changes) {
          if (!isClientChange(c)) continue;
          updated.push(c.client);
          const f = watcher.current.onClient(c.client, performance.now());
          if (f) seen.push({ ...f, seenAt: Date.now() });
        }
        if (updated.length > 0) {
          setClients((old) => {
            const next = new Map(old);
            for (const c of updated) next.set(c.mac, c);
            return next;
          });
        }
        if (seen.length > 0) setFlashes((old) => [...seen.reverse(), ...old].slice(0, 50));
      }),
    [feed],
  );

  // Once the newest arrow has faded, the overlay is recomputed without it.
  const newest = flashes[0]?.startedAt;
  useEffect(() => {
    if (newest === undefined) return;
    const left = ROAM_FLASH_MS - (performance.now() - newest);
    if (left <= 0) return;
    const t = setTimeout(() => setTick((n) => n + 1), left + 50);
    return () => clearTimeout(t);
  }, [newest]);

  const overlay = useMemo<ClientOverlay>(
    () => ({
      counts: clientCounts([...clients.values()]),
      roams: activeRoams(flashes, performance.now()),
    }),
    // `tick` drops faded arrows.
    [clients, flashes, tick],
  );
  return { overlay, recent: flashes.slice(0, RECENT) };
}
