/**
 * A node's Wi-Fi stations from one reading to the next (sans-IO): what it reports in its state
 * (`stations`), and the events of what changed: `client-associated` for a station it did not list
 * before, `client-left` for one it no longer lists. A platform that cannot tell when a station
 * associated (hostapd's get_clients) gets the time the agent first listed it. Which AP a client
 * came from is not known here; the controller derives the roam from the other node's reports.
 *
 * @example
 * const tracker = new StationTracker({ node: 'n7' });
 * tracker.update(await platform.readStations(), now); // [{ kind: 'client-associated', … }]
 * tracker.reports(); // [{ mac, ssid, signal_dbm, since: '2026-…Z', … }]
 */
import { assocMethod, associatedMessage, leftMessage } from '../../core/client-roam.ts';
import type { MeshEvent } from '../../core/events.ts';
import type { StationReport } from '../../mqtt/messages.ts';
import type { PlatformStation } from '../../platform/platform.ts';

export interface StationTrackerOptions {
  node: string;
  /** Node-clock ms to wall-clock ms, for the ISO `since` (the demo's virtual time). @default identity */
  toWall?: (ms: number) => number;
}

interface Known {
  station: PlatformStation;
  since: number;
}

export class StationTracker {
  private known = new Map<string, Known>();

  constructor(private readonly o: StationTrackerOptions) {}

  get size(): number {
    return this.known.size;
  }

  /** Takes the platform's current list; returns the events of what changed since the last. */
  update(stations: readonly PlatformStation[], now: number): MeshEvent[] {
    const events: MeshEvent[] = [];
    const next = new Map<string, Known>();
    for (const st of stations) {
      if (next.has(st.mac)) continue; // listed by two BSSes at once: the first one holds it
      const before = this.known.get(st.mac);
      const since = st.since ?? before?.since ?? now;
      next.set(st.mac, { station: st, since });
      if (before && before.since === since) continue;
      const method = assocMethod(st.auth, st.ft);
      events.push({
        at: since,
        node: this.o.node,
        kind: 'client-associated',
        subject: st.mac,
        from: null,
        to: this.o.node,
        reason: associatedMessage({ mac: st.mac, node: this.o.node, ssid: st.ssid, method }),
        mac: st.mac,
        ssid: st.ssid,
        ...(method ? { method } : {}),
      });
    }
    for (const [mac, k] of this.known) {
      if (next.has(mac)) continue;
      events.push({
        at: now,
        node: this.o.node,
        kind: 'client-left',
        subject: mac,
        from: this.o.node,
        to: null,
        reason: leftMessage({ mac, node: this.o.node }),
        mac,
        ssid: k.station.ssid,
      });
    }
    this.known = next;
    return events;
  }

  /** The stations as the node's state reports them. */
  reports(): StationReport[] {
    const wall = this.o.toWall ?? ((ms: number) => ms);
    return [...this.known.values()].map(({ station: s, since }) => ({
      mac: s.mac,
      ssid: s.ssid,
      ...(s.vlan !== undefined ? { vlan: s.vlan } : {}),
      ...(s.iface !== undefined ? { iface: s.iface } : {}),
      signal_dbm: s.signalDbm,
      since: new Date(wall(since)).toISOString(),
      ...(s.auth !== undefined ? { auth: s.auth } : {}),
      ...(s.ft !== undefined ? { ft: s.ft } : {}),
    }));
  }
}
