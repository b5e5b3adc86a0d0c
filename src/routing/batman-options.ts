/**
 * Options of the B.A.T.M.A.N. IV engine, with batman-adv's defaults where it has one.
 *
 * @example
 * const opts = resolveBatmanOptions({ address: 7, random: seededRandom(1) });
 * opts.hopPenalty; // 30
 */
import type { Random } from '../core/random.ts';
import { RoutingOptionError } from './errors.ts';

export interface GatewayAnnouncement {
  /** Download bandwidth in kbit/s (sent in units of 100 kbit/s, as batman-adv). */
  downKbit: number;
  /** Upload bandwidth in kbit/s. */
  upKbit: number;
}

export interface BatmanOptions {
  /** This node's 16-bit mesh address. */
  address: number;
  /** Jitter and initial sequence number come from here. */
  random: Random;
  /** Name used in events. @default String(address) */
  name?: string;
  /** Interface name shown in the batctl-shaped tables. @default 'mesh0' */
  ifname?: string;
  /** Originator interval in ms. @default 1000 */
  originatorIntervalMs?: number;
  /** ± jitter on the originator interval in ms. @default 20 (batman-adv's BATADV_JITTER) */
  jitterMs?: number;
  /** Penalty per hop, 0..255. @default 30 */
  hopPenalty?: number;
  /** TTL of our own OGMs. @default 50 */
  ttl?: number;
  /** How long forwarded OGMs may wait to share a frame, ms; 0 disables aggregation. @default 100 */
  aggregationMs?: number;
  /** Largest aggregated frame in bytes. @default 512 */
  maxAggregateBytes?: number;
  /** Neighbours and originators not heard for this long are purged, ms. @default 200000 */
  purgeTimeoutMs?: number;
  /** A sequence number jump is accepted as a reboot at most this often, ms. @default 30000 */
  resetProtectionMs?: number;
  /**
   * Our addition to B.A.T.M.A.N. IV: a neighbour that delivered none of an originator's newest
   * `routerMissLimit + 1` sequence numbers while others did is not eligible as next hop, so a
   * dead relay is left after about this many originator intervals plus one. 0 disables it
   * (plain batman-adv behaviour: the stale router's TQ average drains over 5 sequence numbers).
   * 1 meets a 3 s convergence target with 1 s OGMs; 2 halves the route flaps on lossy links
   * but converges in about 3 s (see docs/simulator-and-routing.md for the measurements).
   * @default 1
   */
  routerMissLimit?: number;
  /**
   * Our addition: TQ averages that describe a past life are cleared. When an originator
   * reboots (its sequence numbers jump) its candidates' rings are cleared with their windows,
   * and when a neighbour declared lost is heard again, the rings of the routes through it are.
   * Otherwise averages up to the purge timeout old outrank the fresh, still weak paths and
   * steer routes into loops. Likewise when a neighbour's copy shows that it now routes through
   * us or through our own next hop (the copies B.A.T.M.A.N. IV drops as echoes and as
   * temporary loops): its ring describes the path it left, so it is cleared, and a next hop
   * found routing through us is left at once. false = batman-adv (rings kept). @default true
   */
  clearStaleTq?: boolean;
  /**
   * Our addition: a booting node sends its first this many OGMs `fastStartIntervalMs` apart
   * instead of one per interval (the first within one fast interval), so its neighbours count
   * its OGMs and echoes within about a second. Its links are unusable until both ends did, and
   * a random first OGM anywhere in the first interval plus the echo round trip cost up to 2 s.
   * Only the booting node speeds up: its neighbours keep their rhythm (measured: speeding
   * them up too made routes flap and loop). 0 = off (batman-adv). @default 4
   */
  fastStartOgms?: number;
  /** Spacing of the fast-start OGMs, ms. @default originatorIntervalMs / 4 */
  fastStartIntervalMs?: number;
  /**
   * Our addition: a copy relayed by a neighbour we cannot route to yet (its link not yet
   * confirmed both ways, as for every link of a booting node) is kept, the newest per
   * originator we have no route to, and used once the link is confirmed, if it still carries
   * that originator's newest sequence number and is at most one interval old. batman-adv drops
   * it ("OGM via unknown neighbor"), so a booted node waits for the next sequence number of
   * every originator after its links are confirmed, and at 250 nodes with bursty loss 22 % of
   * an originator's sequence numbers never reach a node 8 hops away (34 % at 12); boots took
   * 3.3-3.6 s there (see docs/simulator-and-routing.md). false = batman-adv. @default true
   */
  holdEarlyOgms?: boolean;
  /**
   * Our addition: an originator whose sequence numbers have not advanced for this long is
   * treated as gone. Its route is withdrawn, so a dead node leaves no forwarding loop or black
   * hole behind (batman-adv keeps the last route until the 200 s purge, loops included), and a
   * sequence-number jump from it is accepted as a reboot at once: the reset protection (one
   * jump per `resetProtectionMs`) guards live originators against replayed OGMs, but would cut
   * a node that reboots twice within 30 s off until it expires. Checked once per interval.
   * 0 = batman-adv. @default 3000
   */
  originatorSilenceMs?: number;
  /**
   * Our addition: B.A.T.M.A.N. IV forwards an originator's OGM only when it came from our best
   * next hop, but the forward waits up to `aggregationMs` in a frame; if our route changes
   * meanwhile, the copy would leave advertising a path we no longer use, and a neighbour that
   * adopts it can form a two-node loop. With this on, a waiting forward whose originator's
   * route moved to another neighbour is replaced by that neighbour's copy of the same sequence
   * number when one arrived, and dropped when the frame leaves otherwise. false = batman-adv.
   * @default true
   */
  recheckForwards?: boolean;
  /**
   * Our addition: a neighbour that has sent nothing for this many of its usual gaps between
   * frames (a moving average, bounded to half an interval .. 2 intervals; 2 intervals during
   * its first 5 intervals, while start-up traffic distorts the rhythm), and also 1.5 times its
   * longest recent pause (a maximum that decays by 1/64 per frame), is declared lost once an
   * OGM it owes us is overdue: its own OGM (due an interval plus `jitterMs` after the last,
   * plus 5 % of an interval for transit) or its relay of a direct neighbour's own OGM, ours
   * included (the same, plus its forwarding delay of half the jitter and `aggregationMs`).
   * Every route through it then moves at once to the best other candidate that still relays
   * fresh OGMs and whose latest copy did not itself come through the lost neighbour. Detects a
   * dead relay or a cut link in well under a second, without any new packet. Time alone is
   * not enough: frames come in bursts (the OGM waves), and between them a neighbour on a
   * lossless grid paused 550 ms against a 66 ms average gap, longer than anything it had
   * taught us, and flapped routes (up to 6 changes per node per 10 minutes on 7 of 24 seeds).
   * Assumes the neighbours use our originator interval (batman-adv meshes share one).
   * 0 = off (batman-adv). @default 6
   */
  neighbourLossFactor?: number;
  /**
   * Our addition: the asymmetry penalty judges a neighbour's window that is younger than 64
   * sequence numbers (a new or rebooted neighbour) by the share it received of the sequence
   * numbers sent since it started, instead of counting the slots before as lost. false =
   * batman-adv (a new link starts at 12/255 of its TQ and climbs over a minute). @default true
   */
  scaleYoungWindows?: boolean;
  /**
   * Route stability (hysteresis): a working next hop is left for another neighbour only when
   * that one's TQ average beats it by more than this share of the current TQ, in percent (at
   * least one TQ point). A next hop that is lost or no longer relays is left at once, whatever
   * the margin. batman-adv switches on any strictly higher TQ (ties keep the current router,
   * or go to the more symmetric link), which on a mesh of equal paths flips between routes
   * whose TQ differs by a rounding point many times a second. 8 % is about two thirds of what
   * one extra hop costs (hop penalty 30/255 = 11.8 %), so a path a hop shorter still wins; 5 %
   * left about 1.5 changes per node per 10 minutes on a lossless 5x5 grid, 8 % none (see
   * docs/simulator-and-routing.md). 0 = batman-adv's strictly-better rule. @default 8
   */
  routeSwitchMarginPct?: number;
  /** Announce this node as an internet gateway. */
  gateway?: GatewayAnnouncement | undefined;
  /** Gateway client selection class (batman-adv's gw_sel_class). @default 20 */
  gwSelClass?: number;
  /**
   * batman-adv's translation table, restated (translation-table/): own OGMs carry the local
   * clients' TTVN, per-VLAN CRCs and diff; every node keeps a global table client →
   * originator and asks for a full table (TT request/response) when it misses a version.
   * Off: OGMs carry no TT block and frames are exactly as before. @default false
   */
  translationTable?: boolean;
  /**
   * With the translation table: a node a client roams to tells the client's previous
   * originator at once (roaming advertisement), which forwards frames still in flight to the
   * new node instead of dropping them. @default false
   */
  roamingAdvertisement?: boolean;
  /** A local client not seen for this long is purged, ms (batman-adv: 600 s). @default 600000 */
  ttLocalTimeoutMs?: number;
  /** A roaming entry not confirmed by the new node's OGM is dropped after this, ms. @default 600000 */
  ttRoamTimeoutMs?: number;
  /**
   * Our addition: an entry learnt from a roaming advertisement that the new node has not
   * confirmed with its own OGM within this is dropped (batman-adv keeps it for the roaming
   * timeout). @default 3 * originatorIntervalMs
   */
  ttTempTimeoutMs?: number;
  /** An unanswered TT request is repeated at the earliest after this, ms (batman-adv: 3 s). @default 3000 */
  ttRequestTimeoutMs?: number;
}

export type ResolvedBatmanOptions = Required<Omit<BatmanOptions, 'gateway'>> & {
  gateway: GatewayAnnouncement | undefined;
};

/**
 * Every one of our additions to B.A.T.M.A.N. IV switched off: plain batman-adv behaviour, for
 * comparisons (`{ ...PLAIN_BATMAN_IV, address, random }`).
 */
export const PLAIN_BATMAN_IV = {
  routerMissLimit: 0,
  neighbourLossFactor: 0,
  originatorSilenceMs: 0,
  clearStaleTq: false,
  scaleYoungWindows: false,
  fastStartOgms: 0,
  holdEarlyOgms: false,
  recheckForwards: false,
  routeSwitchMarginPct: 0,
} as const satisfies Partial<BatmanOptions>;

function checkInt(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RoutingOptionError(option, `${value} is not an integer within ${min}..${max}`);
  }
  return value;
}

export function resolveBatmanOptions(o: BatmanOptions): ResolvedBatmanOptions {
  const interval = checkInt('originatorIntervalMs', o.originatorIntervalMs ?? 1000, 10, 3_600_000);
  const resolved: ResolvedBatmanOptions = {
    address: checkInt('address', o.address, 0, 0xffff),
    random: o.random,
    name: o.name ?? String(o.address),
    ifname: o.ifname ?? 'mesh0',
    originatorIntervalMs: interval,
    jitterMs: checkInt('jitterMs', o.jitterMs ?? 20, 0, Math.floor(interval / 2)),
    hopPenalty: checkInt('hopPenalty', o.hopPenalty ?? 30, 0, 255),
    ttl: checkInt('ttl', o.ttl ?? 50, 2, 255),
    aggregationMs: checkInt('aggregationMs', o.aggregationMs ?? 100, 0, interval),
    maxAggregateBytes: checkInt('maxAggregateBytes', o.maxAggregateBytes ?? 512, 22, 65_535),
    purgeTimeoutMs: checkInt(
      'purgeTimeoutMs',
      o.purgeTimeoutMs ?? 200_000,
      interval * 2,
      86_400_000,
    ),
    resetProtectionMs: checkInt('resetProtectionMs', o.resetProtectionMs ?? 30_000, 0, 86_400_000),
    routerMissLimit: checkInt('routerMissLimit', o.routerMissLimit ?? 1, 0, 32),
    clearStaleTq: o.clearStaleTq ?? true,
    scaleYoungWindows: o.scaleYoungWindows ?? true,
    fastStartOgms: checkInt('fastStartOgms', o.fastStartOgms ?? 4, 0, 64),
    fastStartIntervalMs: checkInt(
      'fastStartIntervalMs',
      o.fastStartIntervalMs ?? Math.max(10, Math.floor(interval / 4)),
      10,
      interval,
    ),
    originatorSilenceMs: checkInt(
      'originatorSilenceMs',
      o.originatorSilenceMs ?? 3000,
      0,
      86_400_000,
    ),
    holdEarlyOgms: o.holdEarlyOgms ?? true,
    recheckForwards: o.recheckForwards ?? true,
    neighbourLossFactor: checkInt('neighbourLossFactor', o.neighbourLossFactor ?? 6, 0, 1000),
    routeSwitchMarginPct: checkInt('routeSwitchMarginPct', o.routeSwitchMarginPct ?? 8, 0, 100),
    gateway: o.gateway,
    gwSelClass: checkInt('gwSelClass', o.gwSelClass ?? 20, 1, 255),
    translationTable: o.translationTable ?? false,
    roamingAdvertisement: o.roamingAdvertisement ?? false,
    ttLocalTimeoutMs: checkInt('ttLocalTimeoutMs', o.ttLocalTimeoutMs ?? 600_000, 1000, 86_400_000),
    ttRoamTimeoutMs: checkInt('ttRoamTimeoutMs', o.ttRoamTimeoutMs ?? 600_000, 1000, 86_400_000),
    ttTempTimeoutMs: checkInt(
      'ttTempTimeoutMs',
      o.ttTempTimeoutMs ?? 3 * interval,
      interval,
      86_400_000,
    ),
    ttRequestTimeoutMs: checkInt('ttRequestTimeoutMs', o.ttRequestTimeoutMs ?? 3000, 10, 600_000),
  };
  if (resolved.roamingAdvertisement && !resolved.translationTable) {
    throw new RoutingOptionError(
      'roamingAdvertisement',
      'needs translationTable: roaming advertisements update the translation table',
    );
  }
  if (o.gateway) {
    checkInt('gateway.downKbit', o.gateway.downKbit, 0, 429_496_729_500);
    checkInt('gateway.upKbit', o.gateway.upKbit, 0, 429_496_729_500);
  }
  return resolved;
}
