/**
 * Where every Wi-Fi client is, from what the nodes say: the `stations` of their states and their
 * `client-associated`, `client-roamed` and `client-left` events. Runs inside the ingest's
 * transaction, so it compares with what the store knew until then.
 *
 * A roam is recorded when a node says so (`client-roamed`, with its own method and gap), and is
 * derived when a client known at node A shows up at node B with a newer association and no node
 * said it roamed (an agent that only lists its stations, like one reading hostapd): the gap is
 * then B's association time minus A's last report of the client, when that is not negative.
 * The newest association wins: an older report from the previous AP (a state published before the
 * roam, delivered after) never moves the client back.
 *
 * @example
 * const tracker = new ClientTracker(store);
 * tracker.onState(state);          // returns the clients that changed, for the live feed
 * tracker.onEvent(event);          // client-roamed: adds the roam to the client's history
 */
import { assocMethod, roamMessage } from '../../core/client-roam.ts';
import type { MeshEvent } from '../../core/events.ts';
import type { NodeState, StationReport } from '../../mqtt/messages.ts';
import type { StoreScope } from '../store/store-scope.ts';
import type { ClientRecord } from './client-records.ts';

/**
 * A client that shows up at another AP within this long of its last report is roaming; later, it
 * is a new association (it went away and came back).
 */
export const ROAM_WINDOW_MS = 60_000;

/**
 * A node's `client-roamed` for a roam the controller already derived from a state (or the other
 * way round) is the same roam when it is this close in time.
 */
const SAME_ROAM_MS = 30_000;

export const CLIENT_EVENT_KINDS = ['client-associated', 'client-roamed', 'client-left'] as const;

export class ClientTracker {
  constructor(private readonly store: StoreScope) {}

  /** Takes the node's station list; returns the clients whose record changed. */
  async onState(state: NodeState): Promise<ClientRecord[]> {
    if (state.stations === undefined) return []; // an older agent: says nothing about clients
    const changed: ClientRecord[] = [];
    const listed = new Set<string>();
    for (const st of state.stations) {
      listed.add(st.mac);
      const c = await this.onStation(state.node, st, state.at);
      if (c) changed.push(c);
    }
    // Clients the node had and no longer lists have left it (out of range, or roamed away).
    for (const c of await this.store.clients.atNode(state.node)) {
      if (listed.has(c.mac)) continue;
      const next = { ...c, associated: false };
      await this.store.clients.upsert(next);
      changed.push(next);
    }
    return changed;
  }

  /**
   * The node went offline (its broker session ended): its clients are no longer known to be
   * associated anywhere until a node reports them. Returns the clients that changed.
   */
  async onNodeOffline(node: string): Promise<ClientRecord[]> {
    const changed: ClientRecord[] = [];
    for (const c of await this.store.clients.atNode(node)) {
      const next = { ...c, associated: false };
      await this.store.clients.upsert(next);
      changed.push(next);
    }
    return changed;
  }

  /** Takes a node's client event; returns the client if its record changed. */
  async onEvent(e: MeshEvent): Promise<ClientRecord | undefined> {
    const mac = e.mac ?? e.subject;
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return undefined;
    const { clients } = this.store;
    const cur = await clients.get(mac);
    switch (e.kind) {
      case 'client-left': {
        if (!cur || cur.node !== e.node || !cur.associated) return undefined;
        const next = { ...cur, associated: false, last_seen: Math.max(cur.last_seen, e.at) };
        await clients.upsert(next);
        return next;
      }
      case 'client-associated':
      case 'client-roamed': {
        const method = e.method ?? null;
        if (cur && cur.node === e.node && Math.abs(cur.since - e.at) <= SAME_ROAM_MS) {
          // Already placed here by the node's state: the event adds what only it knows.
          const added = e.kind === 'client-roamed' && (await this.refineLastRoam(mac, e));
          const next = { ...cur, method: method ?? cur.method, roams: cur.roams + (added ? 1 : 0) };
          await clients.upsert(next);
          return next;
        }
        if (cur && cur.since > e.at) return undefined; // older than what is known
        const next: ClientRecord = {
          mac,
          node: e.node,
          ssid: e.ssid ?? cur?.ssid ?? '',
          vlan: cur?.node === e.node ? cur.vlan : null,
          iface: cur?.node === e.node ? cur.iface : null,
          signal_dbm: cur?.node === e.node ? cur.signal_dbm : null,
          since: e.at,
          last_seen: e.at,
          associated: true,
          method,
          roams: cur?.roams ?? 0,
        };
        if (e.kind === 'client-roamed') {
          await clients.addRoam(mac, {
            at: e.at,
            from: e.from ?? cur?.node ?? '?',
            to: e.node,
            method,
            gap_ms: e.gap_ms ?? null,
            source: 'node',
          });
          next.roams++;
        } else if (cur && cur.node !== e.node && e.at - cur.last_seen <= ROAM_WINDOW_MS) {
          next.roams++;
          await this.deriveRoam(mac, cur, e.node, e.at, method);
        }
        await clients.upsert(next);
        return next;
      }
      default:
        return undefined;
    }
  }

  private async onStation(
    node: string,
    st: StationReport,
    at: number,
  ): Promise<ClientRecord | undefined> {
    const { clients } = this.store;
    const since = Date.parse(st.since);
    const cur = await clients.get(st.mac);
    const method = assocMethod(st.auth, st.ft) ?? null;
    const here: ClientRecord = {
      mac: st.mac,
      node,
      ssid: st.ssid,
      vlan: st.vlan ?? null,
      iface: st.iface ?? null,
      signal_dbm: st.signal_dbm,
      since,
      last_seen: at,
      associated: true,
      method: method ?? (cur?.node === node ? cur.method : null),
      roams: cur?.roams ?? 0,
    };
    if (cur && cur.node !== node) {
      // A report of an association older than the one known is stale: it moves nothing.
      if (since <= cur.since) return undefined;
      if (since - cur.last_seen <= ROAM_WINDOW_MS) {
        here.roams++;
        await this.deriveRoam(st.mac, cur, node, since, here.method);
      }
    } else if (cur && cur.associated && since < cur.since) {
      // The same AP: keep the association time the client is known by (an event's, if earlier).
      here.since = cur.since;
    }
    if (cur && sameClient(cur, here)) {
      await clients.upsert(here); // last_seen moves on; not worth a live change
      return undefined;
    }
    await clients.upsert(here);
    return here;
  }

  private async deriveRoam(
    mac: string,
    from: ClientRecord,
    to: string,
    at: number,
    method: string | null,
  ): Promise<void> {
    const gap = at - from.last_seen;
    // Negative: the old AP still listed it after the new association (its entry ages out later).
    const gapMs = gap >= 0 ? gap : null;
    await this.store.clients.addRoam(mac, {
      at,
      from: from.node,
      to,
      method,
      gap_ms: gapMs,
      source: 'controller',
    });
    await this.store.events.record({
      at,
      node: to,
      kind: 'client-roamed',
      subject: mac,
      from: from.node,
      to,
      reason: roamMessage({ mac, from: from.node, to, method, gapMs }),
      mac,
      ...(method ? { method } : {}),
      ...(gapMs !== null ? { gap_ms: gapMs } : {}),
    });
  }

  /**
   * The node's own account of a roam the controller derived: its method and gap are measured.
   * Returns whether it was a roam the controller did not know (then added).
   */
  private async refineLastRoam(mac: string, e: MeshEvent): Promise<boolean> {
    const last = await this.store.clients.lastRoam(mac);
    if (!last || last.to !== e.node || Math.abs(last.at - e.at) > SAME_ROAM_MS) {
      await this.store.clients.addRoam(mac, {
        at: e.at,
        from: e.from ?? '?',
        to: e.node,
        method: e.method ?? null,
        gap_ms: e.gap_ms ?? null,
        source: 'node',
      });
      return true;
    }
    await this.store.clients.updateRoam(last.id, {
      from: e.from ?? last.from,
      method: e.method ?? last.method,
      gap_ms: e.gap_ms ?? last.gap_ms,
      source: 'node',
    });
    return false;
  }
}

/** Equal but for `last_seen` and a signal change under 3 dB. */
function sameClient(a: ClientRecord, b: ClientRecord): boolean {
  return (
    a.node === b.node &&
    a.ssid === b.ssid &&
    a.vlan === b.vlan &&
    a.iface === b.iface &&
    a.since === b.since &&
    a.associated === b.associated &&
    a.method === b.method &&
    a.roams === b.roams &&
    Math.abs((a.signal_dbm ?? 0) - (b.signal_dbm ?? 0)) < 3 &&
    (a.signal_dbm === null) === (b.signal_dbm === null)
  );
}
