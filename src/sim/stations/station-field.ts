/**
 * The air around the APs: stations that move, hear every AP of their SSID through the
 * path-loss model, pick and change APs with hysteresis, and pay a modelled time for each
 * (re)association, during which they receive nothing. Sans-IO: the caller says what time it is
 * with `advance(now)` and gets the events since the last call; `nextDeadline()` says when
 * something can next happen (a decision step or the end of a handshake), so a scheduler can wake
 * it exactly. The simulator and the demo both drive it.
 *
 * Decisions are taken every `stepMs` (the station's background scan); handshakes end at their
 * exact drawn time.
 *
 * @example
 * const field = new StationField({ aps: [{ node: 'n0', x: 0, y: 0, ssids: ['mesh'] }], random: seededRandom(1) });
 * field.addStation({ mac: '02:00:00:00:00:01', ssid: 'mesh', auth: 'psk', ft: 'over-air', movement: { kind: 'static', at: { x: 5, y: 0 } } });
 * field.advance(1000); // [{ kind: 'associated', ap: 'n0', method: 'psk', ... }]
 */
import { IntelliMeshError } from '../../core/errors.ts';
import type { Random } from '../../core/random.ts';
import {
  DEFAULT_ROAM_POLICY,
  decide,
  newChoiceState,
  type ChoiceState,
  type RoamPolicy,
} from './ap-choice.ts';
import {
  DEFAULT_TIMINGS,
  sampleAssociation,
  type AssocMethod,
  type AssocPhases,
  type AssocTimings,
  type AuthMethod,
  type FtMode,
} from './assoc-timing.ts';
import { createMover, distance, type MovementSpec, type Mover, type Point } from './movement.ts';
import { DEFAULT_PATH_LOSS, meanSignalDbm, Shadowing, type PathLossParams } from './path-loss.ts';

export interface FieldAp {
  node: string;
  /** Position in metres. */
  x: number;
  y: number;
  ssids: string[];
}

export interface StationFieldOptions {
  aps: FieldAp[];
  random: Random;
  channel?: Partial<PathLossParams>;
  policy?: Partial<RoamPolicy>;
  timings?: Partial<AssocTimings>;
  /** Decision step (background scan period), ms. @default 100 */
  stepMs?: number;
  /** Field time of the first step, ms. @default 0 */
  start?: number;
}

export interface StationSpec {
  /** Lower-case aa:bb:cc:dd:ee:ff. */
  mac: string;
  ssid: string;
  vlan?: number;
  auth: AuthMethod;
  ft: FtMode;
  movement: MovementSpec;
}

export type StationEvent =
  | {
      kind: 'associated';
      at: number;
      mac: string;
      ap: string;
      ssid: string;
      signal_dbm: number;
      method: AssocMethod;
      duration_ms: number;
      phases: AssocPhases;
    }
  | {
      /** The station has left `from` and is handshaking with `to` (additive to the contract). */
      kind: 'roam-started';
      at: number;
      mac: string;
      from: string;
      to: string;
      method: AssocMethod;
      reason: 'better' | 'weak';
    }
  | {
      kind: 'roamed';
      at: number;
      mac: string;
      from: string;
      to: string;
      method: AssocMethod;
      gap_ms: number;
      signal_dbm: number;
      phases: AssocPhases;
    }
  | { kind: 'left'; at: number; mac: string; ap: string };

export interface StationAtAp {
  mac: string;
  ssid: string;
  vlan: number | undefined;
  signal_dbm: number;
  since: number;
  /** How this association was made (FT only for a roam within the mobility domain). */
  method: AssocMethod;
}

/** A station the field cannot take (bad MAC, duplicate, unknown SSID). */
export class StationError extends IntelliMeshError {}

type Link =
  | { state: 'searching' }
  | { state: 'joining'; ap: string; until: number; method: AssocMethod; phases: AssocPhases }
  | { state: 'associated'; ap: string; since: number; method: AssocMethod }
  | {
      state: 'roaming';
      from: string;
      to: string;
      startedAt: number;
      until: number;
      method: AssocMethod;
      phases: AssocPhases;
    };

interface Station {
  spec: StationSpec;
  mover: Mover;
  position: Point;
  shadowing: Map<string, Shadowing>;
  signals: Map<string, number>;
  choice: ChoiceState;
  link: Link;
  timing: Random;
  /** APs holding a PMKSA from a full 802.1X authentication (PMK caching). */
  pmksa: Set<string>;
  /** Done a full authentication in this SSID (an FT roam needs one first). */
  authenticated: boolean;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const round = (x: number): number => Math.round(x * 1000) / 1000;

export class StationField {
  private readonly aps: FieldAp[];
  private readonly channel: PathLossParams;
  private readonly policy: RoamPolicy;
  private readonly timings: AssocTimings;
  private readonly stepMs: number;
  private readonly stations = new Map<string, Station>();
  private readonly downAps = new Set<string>();
  private nextStep: number;
  private now: number;

  constructor(private readonly o: StationFieldOptions) {
    this.aps = o.aps.map((a) => ({ ...a, ssids: [...a.ssids] }));
    this.channel = { ...DEFAULT_PATH_LOSS, ...o.channel };
    this.policy = { ...DEFAULT_ROAM_POLICY, ...o.policy };
    this.timings = { ...DEFAULT_TIMINGS, ...o.timings };
    this.stepMs = o.stepMs ?? 100;
    this.nextStep = o.start ?? 0;
    this.now = o.start ?? 0;
  }

  addStation(spec: StationSpec): void {
    if (!MAC.test(spec.mac))
      throw new StationError(`station MAC '${spec.mac}' is not lower-case aa:bb:cc:dd:ee:ff`);
    if (this.stations.has(spec.mac))
      throw new StationError(`station ${spec.mac} is already in the field`);
    if (!this.aps.some((a) => a.ssids.includes(spec.ssid)))
      throw new StationError(`no AP serves SSID '${spec.ssid}' (station ${spec.mac})`);
    const rng = this.o.random.fork(`station/${spec.mac}`);
    const mover = createMover(spec.movement, rng.fork('movement'));
    const shadowRng = rng.fork('shadowing');
    const shadowing = new Map<string, Shadowing>();
    for (const ap of this.aps)
      if (ap.ssids.includes(spec.ssid))
        shadowing.set(ap.node, new Shadowing(this.channel, shadowRng.fork(ap.node)));
    const position = mover.positionAt(this.now);
    const st: Station = {
      spec: { ...spec },
      mover,
      position,
      shadowing,
      signals: new Map(),
      choice: newChoiceState(),
      link: { state: 'searching' },
      timing: rng.fork('timing'),
      pmksa: new Set(),
      authenticated: false,
    };
    this.measure(st, 0);
    this.stations.set(spec.mac, st);
  }

  /** Takes a station out of the field (switched off); a 'left' event if it was associated. */
  removeStation(mac: string): StationEvent[] {
    const st = this.stations.get(mac);
    if (!st) return [];
    this.stations.delete(mac);
    const ap = this.currentAp(st);
    return ap === undefined ? [] : [{ kind: 'left', at: this.now, mac, ap }];
  }

  /** An AP switched off (node crash) is heard by nobody until it is switched on again. */
  setApUp(node: string, up: boolean): void {
    if (up) this.downAps.delete(node);
    else this.downAps.add(node);
  }

  /** When `advance` next has something to do. */
  nextDeadline(): number {
    let t = this.nextStep;
    for (const st of this.stations.values())
      if (st.link.state === 'joining' || st.link.state === 'roaming')
        t = Math.min(t, st.link.until);
    return t;
  }

  /** Moves the field on to `now` and returns what happened since the last call, in order. */
  advance(now: number): StationEvent[] {
    const out: StationEvent[] = [];
    for (;;) {
      const t = this.nextDeadline();
      if (t > now) break;
      this.now = t;
      this.completeHandshakes(t, out);
      if (t >= this.nextStep) {
        this.nextStep = t + this.stepMs;
        for (const st of this.stations.values()) this.step(st, t, out);
      }
    }
    this.now = Math.max(this.now, now);
    return out;
  }

  stationsAt(ap: string): StationAtAp[] {
    const out: StationAtAp[] = [];
    for (const st of this.stations.values()) {
      if (st.link.state === 'associated' && st.link.ap === ap)
        out.push({
          mac: st.spec.mac,
          ssid: st.spec.ssid,
          vlan: st.spec.vlan,
          signal_dbm: round(st.signals.get(ap) ?? Number.NEGATIVE_INFINITY),
          since: st.link.since,
          method: st.link.method,
        });
    }
    return out;
  }

  /** True when `mac` is associated with `ap` and not in a handshake: it hears frames from it. */
  receiving(mac: string, ap: string): boolean {
    const l = this.stations.get(mac)?.link;
    return l !== undefined && l.state === 'associated' && l.ap === ap;
  }

  /** The AP the station is associated with now (undefined while searching or handshaking). */
  apOf(mac: string): string | undefined {
    const l = this.stations.get(mac)?.link;
    return l?.state === 'associated' ? l.ap : undefined;
  }

  /** True while the station is in a (re)association handshake (it hears nothing). */
  handshaking(mac: string): boolean {
    const l = this.stations.get(mac)?.link;
    return l?.state === 'joining' || l?.state === 'roaming';
  }

  positionOf(mac: string): Point | undefined {
    return this.stations.get(mac)?.position;
  }

  /** Signal from each AP of the station's SSID at the last step, dBm. */
  signalsOf(mac: string): ReadonlyMap<string, number> {
    return this.stations.get(mac)?.signals ?? new Map();
  }

  macs(): string[] {
    return [...this.stations.keys()];
  }

  private currentAp(st: Station): string | undefined {
    return st.link.state === 'associated' ? st.link.ap : undefined;
  }

  private measure(st: Station, movedM: number): void {
    for (const ap of this.aps) {
      const sh = st.shadowing.get(ap.node);
      if (!sh) continue;
      if (this.downAps.has(ap.node)) {
        st.signals.delete(ap.node);
        continue;
      }
      const dbm = meanSignalDbm(this.channel, distance(st.position, ap)) + sh.step(movedM);
      st.signals.set(ap.node, dbm);
    }
  }

  private completeHandshakes(t: number, out: StationEvent[]): void {
    for (const st of this.stations.values()) {
      const l = st.link;
      if ((l.state !== 'joining' && l.state !== 'roaming') || l.until > t) continue;
      const ap = l.state === 'joining' ? l.ap : l.to;
      st.link = { state: 'associated', ap, since: t, method: l.method };
      st.authenticated = true;
      if (st.spec.auth === '8021x') st.pmksa.add(ap);
      const signal = round(st.signals.get(ap) ?? Number.NEGATIVE_INFINITY);
      if (l.state === 'joining')
        out.push({
          kind: 'associated',
          at: t,
          mac: st.spec.mac,
          ap,
          ssid: st.spec.ssid,
          signal_dbm: signal,
          method: l.method,
          duration_ms: l.phases.total_ms,
          phases: l.phases,
        });
      else
        out.push({
          kind: 'roamed',
          at: t,
          mac: st.spec.mac,
          from: l.from,
          to: ap,
          method: l.method,
          gap_ms: round(t - l.startedAt),
          signal_dbm: signal,
          phases: l.phases,
        });
    }
  }

  private step(st: Station, t: number, out: StationEvent[]): void {
    const next = st.mover.positionAt(t);
    const moved = distance(st.position, next);
    st.position = next;
    this.measure(st, moved);
    const l = st.link;
    if (l.state === 'joining' || l.state === 'roaming') return;
    const current = l.state === 'associated' ? l.ap : undefined;
    const d = decide(st.choice, current, st.signals, t, this.policy);
    switch (d.kind) {
      case 'stay':
        return;
      case 'lost':
        st.link = { state: 'searching' };
        out.push({ kind: 'left', at: t, mac: st.spec.mac, ap: current! });
        return;
      case 'associate': {
        const cost = this.cost(st, d.ap, false);
        st.link = { state: 'joining', ap: d.ap, until: t + cost.phases.total_ms, ...cost };
        return;
      }
      case 'roam': {
        const cost = this.cost(st, d.ap, true);
        st.link = {
          state: 'roaming',
          from: current!,
          to: d.ap,
          startedAt: t,
          until: t + cost.phases.total_ms,
          ...cost,
        };
        out.push({
          kind: 'roam-started',
          at: t,
          mac: st.spec.mac,
          from: current!,
          to: d.ap,
          method: cost.method,
          reason: d.reason,
        });
      }
    }
  }

  private cost(
    st: Station,
    ap: string,
    roam: boolean,
  ): { method: AssocMethod; phases: AssocPhases } {
    return sampleAssociation(
      {
        auth: st.spec.auth,
        ft: st.spec.ft,
        roam: roam && st.authenticated,
        pmkCached: st.pmksa.has(ap),
      },
      st.timing,
      this.timings,
    );
  }
}
