/**
 * The demo's Wi-Fi clients, on the simulator's station model (src/sim/stations): every node is an
 * access point at its place on the grid serving the demo's SSIDs; each node has a few clients that
 * stay near it (laptops, printers, phones on desks), and a handful walk or ride across the site
 * (random waypoints, a courier looping along a row), so they roam from AP to AP. Each (re)association
 * becomes the node's client event (`client-associated`, `client-roamed` with the modelled method
 * and handoff gap, `client-left`), and each node reports the stations associated to it. Runs on
 * the simulator's clock with its own seeded random stream, so a seed replays the same walks.
 *
 * A node that is down is an AP off the air: its stations lose it and associate elsewhere when
 * another AP is in range; it publishes nothing, so the controller sees them appear at the other AP.
 *
 * @example
 * const stations = new DemoStations({ scheduler, random, aps, extent, onEvent: emit, isUp });
 * stations.start();
 * stations.reportsAt('n7', toWall); // [{ mac, ssid, signal_dbm, since: '2026-…Z', auth, ft }]
 */
import { associatedMessage, leftMessage, roamMessage } from '../core/client-roam.ts';
import type { MeshEvent } from '../core/events.ts';
import type { Random } from '../core/random.ts';
import type { Scheduler, TimerHandle } from '../core/scheduler.ts';
import type { StationReport } from '../mqtt/messages.ts';
import {
  StationField,
  type AuthMethod,
  type FieldAp,
  type FtMode,
  type MovementSpec,
  type StationEvent,
} from '../sim/stations/index.ts';

/** An SSID of the demo site and how its clients authenticate. */
interface DemoSsid {
  ssid: string;
  vlan: number;
  auth: AuthMethod;
  ft: FtMode;
}

/**
 * Staff with WPA2-PSK and 802.11r over the air, a WPA2-Enterprise network with FT over the DS,
 * and a guest network with plain PSK (no 802.11r: its roams pay the full handshake).
 */
const SSIDS: readonly DemoSsid[] = [
  { ssid: 'staff', vlan: 10, auth: 'psk', ft: 'over-air' },
  { ssid: 'corp', vlan: 20, auth: '8021x', ft: 'over-ds' },
  { ssid: 'guest', vlan: 30, auth: 'psk', ft: false },
];

export interface DemoStationsOptions {
  scheduler: Scheduler;
  random: Random;
  /** The access points: every node at its place, metres. */
  aps: readonly { node: string; x: number; y: number }[];
  /** Clients that stay near each node. @default 2..12 per node, drawn from the seed */
  staticPerNode?: (node: string) => number;
  /** Clients that move across the site. @default 8 */
  mobile?: number;
  /** Whether the node is up to report (a down node publishes nothing). */
  isUp: (node: string) => boolean;
  onEvent: (e: MeshEvent) => void;
  /** Background scan period of the stations, ms; their CPU cost grows as it shrinks. @default 500 */
  stepMs?: number;
}

/** Locally administered MACs: 02:c1:ee:00:<n>. */
const macOf = (i: number) =>
  `02:c1:ee:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

export class DemoStations {
  readonly field: StationField;
  private readonly specs = new Map<string, DemoSsid>();
  private timer: TimerHandle | undefined;
  /** Mobile stations' MACs, for tests and the docs. */
  readonly mobileMacs: string[] = [];

  constructor(private readonly o: DemoStationsOptions) {
    const aps: FieldAp[] = o.aps.map((a) => ({
      node: a.node,
      x: a.x,
      y: a.y,
      ssids: SSIDS.map((s) => s.ssid),
    }));
    this.field = new StationField({
      aps,
      random: o.random.fork('field'),
      stepMs: o.stepMs ?? 500,
      start: o.scheduler.now(),
    });
    const rng = o.random.fork('placement');
    const xs = o.aps.map((a) => a.x);
    const ys = o.aps.map((a) => a.y);
    const bounds = {
      minX: Math.min(...xs),
      maxX: Math.max(...xs),
      minY: Math.min(...ys),
      maxY: Math.max(...ys),
    };
    let n = 0;
    for (const ap of o.aps) {
      const count = o.staticPerNode ? o.staticPerNode(ap.node) : 2 + rng.int(11);
      for (let i = 0; i < count; i++) {
        // Within 20 m of its AP: it stays there, whatever the shadowing does.
        const angle = rng.next() * 2 * Math.PI;
        const r = 3 + rng.next() * 17;
        this.add(n++, SSIDS[rng.int(SSIDS.length)]!, {
          kind: 'static',
          at: { x: ap.x + r * Math.cos(angle), y: ap.y + r * Math.sin(angle) },
        });
      }
    }
    const mobile = o.mobile ?? 8;
    for (let i = 0; i < mobile; i++) {
      const mac = this.add(
        n++,
        SSIDS[i % SSIDS.length]!,
        i % 4 === 3
          ? // A courier on a cart, up and down the middle row of the site.
            {
              kind: 'path',
              waypoints: [
                { x: bounds.minX, y: (bounds.minY + bounds.maxY) / 2 },
                { x: bounds.maxX, y: (bounds.minY + bounds.maxY) / 2 },
              ],
              speedMps: 3,
              loop: true,
            }
          : // People walking about: 1 to 2.5 m/s, a short stop at each place.
            { kind: 'random-waypoint', bounds, speedMps: { min: 1, max: 2.5 }, pauseMs: 5_000 },
      );
      this.mobileMacs.push(mac);
    }
  }

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** How many stations are associated to the node now. */
  countAt(node: string): number {
    return this.field.stationsAt(node).length;
  }

  /** The node's stations as its state reports them; `toWall` maps field time to wall time. */
  reportsAt(node: string, toWall: (ms: number) => number = (ms) => ms): StationReport[] {
    return this.field
      .stationsAt(node)
      .map((s) => {
        const spec = this.specs.get(s.mac)!;
        return {
          mac: s.mac,
          ssid: s.ssid,
          vlan: spec.vlan,
          iface: `wlan-${spec.ssid}`,
          signal_dbm: Math.round(s.signal_dbm),
          since: new Date(toWall(s.since)).toISOString(),
          auth: spec.auth,
          // FT is how a roam within the mobility domain is made; a first association is not.
          ft: s.method.startsWith('ft-') ? spec.ft : false,
        };
      })
      .sort((a, b) => a.mac.localeCompare(b.mac));
  }

  private add(i: number, s: DemoSsid, movement: MovementSpec): string {
    const mac = macOf(i);
    this.field.addStation({ mac, ssid: s.ssid, vlan: s.vlan, auth: s.auth, ft: s.ft, movement });
    this.specs.set(mac, s);
    return mac;
  }

  private schedule(): void {
    const now = this.o.scheduler.now();
    const at = Math.max(now, this.field.nextDeadline());
    this.timer = this.o.scheduler.after(at - now, () => {
      // A node that is down (crashed, rebooting) is an AP off the air: its clients go elsewhere.
      for (const ap of this.o.aps) this.field.setApUp(ap.node, this.o.isUp(ap.node));
      for (const e of this.field.advance(this.o.scheduler.now())) this.publish(e);
      this.schedule();
    });
  }

  private publish(e: StationEvent): void {
    const event = toMeshEvent(e, this.specs.get(e.mac)?.ssid);
    if (event && this.o.isUp(event.node)) this.o.onEvent(event);
  }
}

/** The node event of a station event (none for the start of a handshake). */
export function toMeshEvent(e: StationEvent, ssid: string | undefined): MeshEvent | undefined {
  switch (e.kind) {
    case 'associated':
      return {
        at: e.at,
        node: e.ap,
        kind: 'client-associated',
        subject: e.mac,
        from: null,
        to: e.ap,
        reason: associatedMessage({
          mac: e.mac,
          node: e.ap,
          ssid: e.ssid,
          method: e.method,
          durationMs: e.duration_ms,
        }),
        mac: e.mac,
        ssid: e.ssid,
        method: e.method,
      };
    case 'roamed':
      return {
        at: e.at,
        node: e.to,
        kind: 'client-roamed',
        subject: e.mac,
        from: e.from,
        to: e.to,
        reason: roamMessage({
          mac: e.mac,
          from: e.from,
          to: e.to,
          method: e.method,
          gapMs: e.gap_ms,
        }),
        mac: e.mac,
        ...(ssid !== undefined ? { ssid } : {}),
        method: e.method,
        gap_ms: Math.round(e.gap_ms * 10) / 10,
      };
    case 'left':
      return {
        at: e.at,
        node: e.ap,
        kind: 'client-left',
        subject: e.mac,
        from: e.ap,
        to: null,
        reason: leftMessage({ mac: e.mac, node: e.ap }),
        mac: e.mac,
        ...(ssid !== undefined ? { ssid } : {}),
      };
    default:
      return undefined;
  }
}
