/**
 * What the topology shows of Wi-Fi clients: how many each AP has, and a short-lived arrow for
 * each roam seen on the live feed. Pure: the renderer draws it, the panel feeds it.
 *
 * @example
 * const watcher = new RoamWatcher();
 * watcher.seed(list.clients);
 * const flash = watcher.onClient(change.client, performance.now()); // a roam, or undefined
 * const overlay = { counts: clientCounts(list.clients), roams: activeRoams(flashes, now) };
 */
import type { ClientRecord } from '../api/client-types.ts';

/** How long a roam's arrow stays on the topology, fading out. */
export const ROAM_FLASH_MS = 4000;

export interface RoamFlash {
  mac: string;
  from: string;
  to: string;
  /** performance.now() when the dashboard saw it. */
  startedAt: number;
}

export interface ClientOverlay {
  /** Associated clients per AP node; nodes without clients are absent. */
  counts: ReadonlyMap<string, number>;
  roams: readonly RoamFlash[];
}

export const EMPTY_OVERLAY: ClientOverlay = { counts: new Map(), roams: [] };

export function clientCounts(clients: readonly ClientRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of clients) {
    if (c.associated === false) continue;
    counts.set(c.node, (counts.get(c.node) ?? 0) + 1);
  }
  return counts;
}

/** The flashes still on screen at `now`, with how far each has faded (0 new … 1 gone). */
export function activeRoams(flashes: readonly RoamFlash[], now: number): RoamFlash[] {
  return flashes.filter((f) => now - f.startedAt < ROAM_FLASH_MS);
}

export function roamFade(flash: RoamFlash, now: number): number {
  return Math.min(1, Math.max(0, (now - flash.startedAt) / ROAM_FLASH_MS));
}

/**
 * Remembers where each client was and how many roams the controller had counted, so a `client`
 * change is drawn as a roam exactly when the controller counted one more (a client that went
 * away and associated elsewhere later is a new association, not a roam).
 */
export class RoamWatcher {
  private readonly at = new Map<string, { node: string; roams: number }>();

  /** Where the clients are now (a fetched list): no roam is inferred from it. */
  seed(clients: readonly ClientRecord[]): void {
    for (const c of clients) this.at.set(c.mac, { node: c.node, roams: c.roams });
  }

  onClient(c: ClientRecord, now: number): RoamFlash | undefined {
    const before = this.at.get(c.mac);
    this.at.set(c.mac, { node: c.node, roams: c.roams });
    if (!before || c.associated === false) return undefined;
    if (c.roams <= before.roams || c.node === before.node) return undefined;
    return { mac: c.mac, from: before.node, to: c.node, startedAt: now };
  }
}
