/**
 * The stations of a simulation and the air between them and the APs: one StationField for the
 * run, woken by the scheduler at its deadlines, and on every node an application named
 * 'stations' (StationAir, issue 13 Seam 2) through which the data plane hands a frame to a
 * client. A frame reaches the client only if it is associated with that AP and not in a
 * handshake; otherwise it is lost and traced (`roam-gap` during a handshake). Associations and
 * roams are told to the routing engine's client table (Seam 1) and written to the trace as
 * client-associated / client-roam-started / client-roamed / client-left events.
 *
 * @example
 * const hub = new StationHub(scenario, topology, root.fork('stations'), scheduler, metrics, trace);
 * factories.push(hub.appFactory());
 */
import type { Random } from '../core/random.ts';
import type { Scheduler } from '../core/scheduler.ts';
import { clientTable, type ClientTable } from './client-table-adapter.ts';
import type { ClientSpec, MovementYaml } from './client-schema.ts';
import type { Medium } from '../core/medium.ts';
import type { FlowMetrics } from './metrics.ts';
import type { AppFactory, NodeContext } from './node-host.ts';
import { RoamLog } from './roam-log.ts';
import { OGM_PORT } from './routing-app.ts';
import type { Scenario } from './scenario-schema.ts';
import { StationField, type MovementSpec, type StationEvent } from './stations/index.ts';
import type { Topology } from './topology.ts';
import type { Trace } from './trace.ts';
import type { StationAir } from './traffic-app.ts';

export const STATIONS_APP = 'stations';
const DATA_PORT = 'data';
const KEEPALIVE_MS = 10_000;

/** What the hub needs from the traffic app to send to a client (Seam 2, h13-tt). */
interface ClientOriginator {
  originateToClient?(flow: number, seq: number, mac: string, size: number): void;
}

interface NodeSide {
  ctx: NodeContext;
  ogm: Medium | undefined;
}

export class StationHub {
  readonly field: StationField;
  readonly log = new RoamLog();
  private readonly nodes = new Map<string, NodeSide>();
  private readonly clients: ClientSpec[];
  private readonly byKey = new Map<string, ClientSpec>();
  private armedAt = Number.POSITIVE_INFINITY;
  private readonly scale: number;

  constructor(
    scenario: Scenario,
    private readonly topology: Topology,
    random: Random,
    private readonly scheduler: Scheduler & { at(ms: number, fn: () => void): unknown },
    private readonly metrics: FlowMetrics,
    private readonly trace: Trace,
    /** The engines keep a client table (routing.translation_table). */
    private readonly tablesOn: boolean,
  ) {
    const st = scenario.stations;
    this.scale = st.metres_per_unit;
    this.clients = scenario.clients;
    for (const c of this.clients) {
      this.byKey.set(c.mac, c);
      if (c.name !== undefined) this.byKey.set(c.name, c);
    }
    const allSsids = [...new Set(this.clients.map((c) => c.ssid))];
    const served = new Map(scenario.access_points?.map((a) => [a.node, a.ssids]));
    const aps = topology.nodes
      .filter((n) => !scenario.access_points || served.has(n.name))
      .map((n) => ({
        node: n.name,
        x: n.x * this.scale,
        y: n.y * this.scale,
        ssids: served.get(n.name) ?? allSsids,
      }));
    const pl = st.path_loss;
    const ro = st.roaming;
    this.field = new StationField({
      aps,
      random,
      stepMs: st.step_ms,
      channel: {
        ...(pl.tx_power_dbm !== undefined && { txPowerDbm: pl.tx_power_dbm }),
        ...(pl.ref_loss_db !== undefined && { refLossDb: pl.ref_loss_db }),
        ...(pl.exponent !== undefined && { exponent: pl.exponent }),
        ...(pl.shadowing_db !== undefined && { shadowingSigmaDb: pl.shadowing_db }),
        ...(pl.decorrelation_m !== undefined && { decorrelationM: pl.decorrelation_m }),
      },
      policy: {
        ...(ro.min_signal_dbm !== undefined && { minSignalDbm: ro.min_signal_dbm }),
        ...(ro.roam_threshold_dbm !== undefined && { roamThresholdDbm: ro.roam_threshold_dbm }),
        ...(ro.lost_signal_dbm !== undefined && { lostSignalDbm: ro.lost_signal_dbm }),
        ...(ro.margin_db !== undefined && { marginDb: ro.margin_db }),
        ...(ro.dwell_ms !== undefined && { dwellMs: ro.dwell_ms }),
      },
    });
  }

  /** The 'stations' application for every node. */
  appFactory(): AppFactory {
    return (ctx: NodeContext): StationAir => {
      const side: NodeSide = { ctx, ogm: undefined };
      this.nodes.set(ctx.node, side);
      return {
        name: STATIONS_APP,
        deliverToClient: (mac, flow, seq, frame) => this.deliver(ctx.node, mac, flow, seq, frame),
        stop: () => {
          if (this.nodes.get(ctx.node) === side) this.nodes.delete(ctx.node);
        },
      };
    };
  }

  /** Switches clients on at their start times and starts waking the field. */
  start(): void {
    // APs hear their stations' frames all the time; tell the local tables every 10 s so a
    // station that only receives is not purged as silent.
    const keepAlive = (): void => {
      const now = this.scheduler.now();
      this.sync(now);
      for (const mac of this.field.macs()) {
        const ap = this.field.apOf(mac);
        if (ap !== undefined) this.table(ap)?.seen(mac, now);
      }
      this.scheduler.at(now + KEEPALIVE_MS, keepAlive);
    };
    this.scheduler.at(KEEPALIVE_MS, keepAlive);
    for (const c of this.clients) {
      this.log.addClient(c.mac);
      this.scheduler.at(c.start_s * 1000, () => {
        this.sync(this.scheduler.now());
        this.field.addStation({
          mac: c.mac,
          ssid: c.ssid,
          vlan: c.vlan,
          auth: c.auth,
          ft: c.ft,
          movement: this.movement(c.movement, c.start_s * 1000),
        });
        this.arm();
      });
    }
  }

  /** The client a flow names (`client:<mac or name>` without the prefix). */
  client(key: string): ClientSpec | undefined {
    return this.byKey.get(key) ?? this.byKey.get(key.toLowerCase());
  }

  /** Sends packet `seq` of `flow` from node `from` to client `mac`. */
  originate(
    from: string,
    app: object | undefined,
    flow: number,
    seq: number,
    mac: string,
    size: number,
  ): void {
    if (!app) return;
    const traffic = app as ClientOriginator;
    const now = this.scheduler.now();
    this.log.sent(mac, flow, seq, now);
    if (traffic.originateToClient) {
      traffic.originateToClient(flow, seq, mac, size);
      return;
    }
    // Without the client-addressed data plane the frame cannot be routed (h13-tt's part).
    this.metrics.sent(flow, seq, now);
    this.trace.drop(now, from, DATA_PORT, 'no-client-routing', `flow ${flow} seq ${seq} to ${mac}`);
  }

  /** A node crashed (its AP is silent) or booted. */
  setNodeUp(node: string, up: boolean): void {
    this.sync(this.scheduler.now());
    this.field.setApUp(node, up);
  }

  /** Brings the field up to `now` and acts on what happened. */
  sync(now: number): void {
    for (const e of this.field.advance(now)) this.handle(e);
  }

  private deliver(node: string, mac: string, flow: number, seq: number, frame: Uint8Array): void {
    const now = this.scheduler.now();
    this.sync(now);
    if (this.field.receiving(mac, node)) {
      this.metrics.delivered(flow, seq, now);
      this.log.delivered(mac, node, flow, seq, now);
      return;
    }
    const inHandoff = this.field.apOf(mac) === undefined && this.field.handshaking(mac);
    if (inHandoff) this.log.lostAtRadio(flow, seq);
    this.trace.drop(
      now,
      node,
      DATA_PORT,
      inHandoff ? 'roam-gap' : 'client-not-associated',
      `flow ${flow} seq ${seq} to ${mac} (${frame.length} bytes)`,
    );
  }

  private table(node: string): ClientTable | undefined {
    const side = this.nodes.get(node);
    if (!side || !this.tablesOn) return undefined;
    return clientTable(side.ctx, 'batman', () => (side.ogm ??= side.ctx.medium(OGM_PORT)));
  }

  private handle(e: StationEvent): void {
    this.log.event(e);
    const vid = this.client(e.mac)?.vlan ?? 0;
    const emit = (
      node: string,
      kind: string,
      from: string | null,
      to: string | null,
      reason: string,
    ): void => this.trace.event({ at: e.at, node, kind, subject: e.mac, from, to, reason });
    switch (e.kind) {
      case 'associated':
        this.table(e.ap)?.added(e.mac, vid, e.at);
        emit(
          e.ap,
          'client-associated',
          null,
          e.ap,
          `${e.method}, ${e.duration_ms} ms, ${e.signal_dbm} dBm`,
        );
        return;
      case 'roam-started':
        emit(
          e.from,
          'client-roam-started',
          e.from,
          e.to,
          `${e.method}, ${e.reason === 'weak' ? 'signal below roam threshold' : 'better AP for the dwell time'}`,
        );
        return;
      case 'roamed':
        // The old AP drops the client when the reassociation at the new one completes; the new
        // one then announces it (and, with roaming advertisement, tells the old one).
        this.table(e.from)?.removed(e.mac, e.at);
        this.table(e.to)?.added(e.mac, vid, e.at);
        emit(
          e.to,
          'client-roamed',
          e.from,
          e.to,
          `${e.method}, ${e.gap_ms} ms, ${e.signal_dbm} dBm`,
        );
        return;
      case 'left':
        this.table(e.ap)?.removed(e.mac, e.at);
        emit(e.ap, 'client-left', e.ap, null, 'signal lost');
    }
  }

  private arm(): void {
    const t = this.field.nextDeadline();
    if (t >= this.armedAt) return;
    this.armedAt = t;
    this.scheduler.at(Math.max(t, this.scheduler.now()), () => {
      if (this.armedAt !== t) return;
      this.armedAt = Number.POSITIVE_INFINITY;
      this.sync(this.scheduler.now());
      this.arm();
    });
  }

  private movement(m: MovementYaml, startMs: number): MovementSpec {
    const pt = ([x, y]: [number, number]) => ({ x: x * this.scale, y: y * this.scale });
    switch (m.kind) {
      case 'static':
        return { kind: 'static', at: pt(m.at) };
      case 'path':
        return {
          kind: 'path',
          waypoints: m.waypoints.map(pt),
          speedMps: m.speed_mps,
          loop: m.loop,
          startMs: Math.max(startMs, m.start_s * 1000),
        };
      case 'random-waypoint': {
        const xs = this.topology.nodes.map((n) => n.x);
        const ys = this.topology.nodes.map((n) => n.y);
        const [lo, hi] = m.bounds ?? [
          [Math.min(...xs), Math.min(...ys)],
          [Math.max(...xs), Math.max(...ys)],
        ];
        const speed =
          typeof m.speed_mps === 'number' ? { min: m.speed_mps, max: m.speed_mps } : m.speed_mps;
        return {
          kind: 'random-waypoint',
          bounds: {
            minX: lo[0] * this.scale,
            minY: lo[1] * this.scale,
            maxX: hi[0] * this.scale,
            maxY: hi[1] * this.scale,
          },
          speedMps: speed,
          pauseMs: m.pause_s * 1000,
          ...(m.start && { start: pt(m.start) }),
        };
      }
    }
  }
}
