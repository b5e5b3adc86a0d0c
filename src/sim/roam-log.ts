/**
 * What roaming did to the traffic, measured at the stations: for each roam, the radio gap (the
 * modelled handshake), the data gap (last frame the station received from the old AP to the
 * first from the new one) and the frames lost around it — split into those lost at the radio
 * (arrived at an AP while the station was deaf: `roam-gap`) and those lost in the mesh (sent
 * to an AP the client had left, or dropped on the way). The `roaming` section of summary.json.
 *
 * @example
 * const log = new RoamLog();
 * log.sent('02:..:01', 0, 7, 1000); log.delivered('02:..:01', 'n1', 0, 7, 1004);
 * log.summary().roams; // 0
 */
import type { AssocMethod, StationEvent } from './stations/index.ts';

export interface GapStats {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface RoamRecord {
  mac: string;
  from: string;
  to: string;
  method: AssocMethod;
  reason: 'better' | 'weak';
  started_at_s: number;
  completed_at_s: number;
  /** The modelled handshake: the station receives nothing, ms. */
  radio_gap_ms: number;
  /** Last frame from the old AP to the first from the new one; null without traffic around. */
  data_gap_ms: number | null;
  /** data_gap_ms when traffic measured it, else radio_gap_ms. */
  gap_ms: number;
  frames_lost: number;
  frames_lost_radio: number;
  frames_lost_mesh: number;
}

export interface MethodStats {
  roams: number;
  gap_ms: GapStats;
  radio_gap_ms: GapStats;
  frames_lost: number;
}

export interface RoamingSummary {
  clients: number;
  associations: number;
  /** Associations lost to a fading signal (no AP usable). */
  lost: number;
  roams: number;
  gap_ms: GapStats;
  radio_gap_ms: GapStats;
  frames_lost: number;
  frames_lost_radio: number;
  frames_lost_mesh: number;
  by_method: Partial<Record<AssocMethod, MethodStats>>;
  per_roam: RoamRecord[];
}

interface Delivery {
  at: number;
  sentAt: number;
  ap: string;
  key: number;
}

interface Pending {
  mac: string;
  from: string;
  to: string;
  method: AssocMethod;
  reason: 'better' | 'weak';
  startedAt: number;
  completedAt: number | undefined;
  radioGap: number;
}

const key = (flow: number, seq: number): number => flow * 0x1_0000_0000 + seq;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function gapStats(xs: number[]): GapStats {
  if (xs.length === 0) return { p50: null, p95: null, max: null };
  const s = [...xs].sort((a, b) => a - b);
  const pick = (p: number): number =>
    s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  return { p50: r3(pick(50)), p95: r3(pick(95)), max: r3(s[s.length - 1]!) };
}

export class RoamLog {
  private readonly roams: Pending[] = [];
  private readonly open = new Map<string, Pending>();
  private readonly sentByMac = new Map<string, Array<{ at: number; key: number }>>();
  private readonly deliveries = new Map<string, Delivery[]>();
  private readonly deliveredKeys = new Set<number>();
  private readonly sentAt = new Map<number, number>();
  private readonly radioLost = new Set<number>();
  private readonly clients = new Set<string>();
  private associations = 0;
  private lostLinks = 0;

  event(e: StationEvent): void {
    this.clients.add(e.mac);
    switch (e.kind) {
      case 'associated':
        this.associations++;
        return;
      case 'left':
        this.lostLinks++;
        return;
      case 'roam-started': {
        const p: Pending = {
          mac: e.mac,
          from: e.from,
          to: e.to,
          method: e.method,
          reason: e.reason,
          startedAt: e.at,
          completedAt: undefined,
          radioGap: 0,
        };
        this.roams.push(p);
        this.open.set(e.mac, p);
        return;
      }
      case 'roamed': {
        const p = this.open.get(e.mac);
        if (!p) return;
        this.open.delete(e.mac);
        p.completedAt = e.at;
        p.radioGap = e.gap_ms;
      }
    }
  }

  sent(mac: string, flow: number, seq: number, now: number): void {
    let l = this.sentByMac.get(mac);
    if (!l) this.sentByMac.set(mac, (l = []));
    l.push({ at: now, key: key(flow, seq) });
    this.sentAt.set(key(flow, seq), now);
  }

  addClient(mac: string): void {
    this.clients.add(mac);
  }

  delivered(mac: string, ap: string, flow: number, seq: number, now: number): void {
    const k = key(flow, seq);
    const sentAt = this.sentAt.get(k);
    if (sentAt === undefined || this.deliveredKeys.has(k)) return;
    this.deliveredKeys.add(k);
    let l = this.deliveries.get(mac);
    if (!l) this.deliveries.set(mac, (l = []));
    l.push({ at: now, sentAt, ap, key: k });
  }

  /** A frame reached the AP while the station was in a handshake. */
  lostAtRadio(flow: number, seq: number): void {
    this.radioLost.add(key(flow, seq));
  }

  records(): RoamRecord[] {
    const out: RoamRecord[] = [];
    for (const p of this.roams) {
      if (p.completedAt === undefined) continue;
      const ds = this.deliveries.get(p.mac) ?? [];
      // The first frame from the new AP after the roam, and the last from the old one before it.
      const firstNew = ds.find((d) => d.at >= p.completedAt! && d.ap === p.to);
      let lastOld: Delivery | undefined;
      for (const d of ds) {
        if (d.at > p.startedAt) break;
        if (d.ap === p.from) lastOld = d;
      }
      let lost = 0;
      let radio = 0;
      const sent = this.sentByMac.get(p.mac) ?? [];
      if (lastOld && firstNew) {
        for (const s of sent) {
          if (s.at <= lastOld.sentAt) continue;
          if (s.at >= firstNew.sentAt) break;
          if (this.deliveredKeys.has(s.key)) continue;
          lost++;
          if (this.radioLost.has(s.key)) radio++;
        }
      }
      const dataGap = lastOld && firstNew ? r3(firstNew.at - lastOld.at) : null;
      out.push({
        mac: p.mac,
        from: p.from,
        to: p.to,
        method: p.method,
        reason: p.reason,
        started_at_s: r3(p.startedAt / 1000),
        completed_at_s: r3(p.completedAt / 1000),
        radio_gap_ms: r3(p.radioGap),
        data_gap_ms: dataGap,
        gap_ms: dataGap ?? r3(p.radioGap),
        frames_lost: lost,
        frames_lost_radio: radio,
        frames_lost_mesh: lost - radio,
      });
    }
    return out;
  }

  summary(): RoamingSummary {
    const recs = this.records();
    const byMethod: Partial<Record<AssocMethod, MethodStats>> = {};
    for (const m of [...new Set(recs.map((r) => r.method))].sort()) {
      const rs = recs.filter((r) => r.method === m);
      byMethod[m] = {
        roams: rs.length,
        gap_ms: gapStats(rs.map((r) => r.gap_ms)),
        radio_gap_ms: gapStats(rs.map((r) => r.radio_gap_ms)),
        frames_lost: rs.reduce((a, r) => a + r.frames_lost, 0),
      };
    }
    const sum = (f: (r: RoamRecord) => number): number => recs.reduce((a, r) => a + f(r), 0);
    return {
      clients: this.clients.size,
      associations: this.associations,
      lost: this.lostLinks,
      roams: recs.length,
      gap_ms: gapStats(recs.map((r) => r.gap_ms)),
      radio_gap_ms: gapStats(recs.map((r) => r.radio_gap_ms)),
      frames_lost: sum((r) => r.frames_lost),
      frames_lost_radio: sum((r) => r.frames_lost_radio),
      frames_lost_mesh: sum((r) => r.frames_lost_mesh),
      by_method: byMethod,
      per_roam: recs,
    };
  }
}
