/**
 * Carries the simulator's data flows hop by hop over whatever router runs on the node (the
 * B.A.T.M.A.N. engine's `nextHop`): it originates packets for flows starting here, delivers
 * those addressed here and forwards the rest; with no next hop, a packet is dropped and traced.
 *
 * Flows may also end at a client (a station's MAC; the engine's translation table must be on):
 * the sender addresses the frame to `clientOriginator(mac)`; at that node the frame goes to the
 * node app named 'stations' (`deliverToClient`), which decides whether the station hears it.
 * When the frame reaches a node the client has left, it is re-forwarded to the client's new
 * originator if roaming advertisement is on (trace event `roam-forward`; held up to
 * ROAM_HOLD_MS while that node is not known yet), else dropped (trace reason `client-not-here`).
 *
 * @example
 * const node = new SimNode('n1', 1, deps, [routingApp(), trafficApp(metrics, trace)]);
 * node.app<TrafficApp>('traffic')!.originateToClient(0, 1, 'aa:bb:cc:dd:ee:01', 200);
 */
import type { AppFactory, NodeApp, NodeContext } from './node-host.ts';
import {
  type DataHeader,
  decodeDataFrame,
  encodeDataFrame,
  reForwarded,
  withTtl,
} from './data-frame.ts';
import type { FlowMetrics } from './metrics.ts';
import type { ClientRouter } from './routing-app.ts';
import type { Trace } from './trace.ts';

export const DATA_PORT = 'data';
const DATA_TTL = 64;
/** A frame chasing a client that keeps moving gives up after this many re-forwards. */
export const MAX_ROAM_FORWARDS = 2;
/**
 * Our addition to batman-adv: with roaming advertisement on, a frame reaching the node a client
 * just left, before the new node's advertisement did, waits here up to this long (rechecked
 * every ROAM_HOLD_STEP_MS) instead of being dropped at once. It covers the advertisement's trip
 * through the mesh; a client still between two APs longer than this is lost at the old node.
 */
export const ROAM_HOLD_MS = 500;
export const ROAM_HOLD_STEP_MS = 10;
/** Frames one node holds at most for clients in transit (a bound on memory). */
export const MAX_HELD_FRAMES = 512;

/** An app that originates flow packets towards nodes (this one, meshlink's). */
export interface FlowSender extends NodeApp {
  /** Originates packet `seq` of `flow` towards `dst`. */
  originate(flow: number, seq: number, dst: number, size: number): void;
}

export interface TrafficApp extends FlowSender {
  /** Originates packet `seq` of `flow` towards client `mac`, wherever it is attached now. */
  originateToClient(flow: number, seq: number, mac: string, size: number): void;
}

/** The node app that owns the stations of an AP (named 'stations'; the station model provides it). */
export interface StationAir extends NodeApp {
  deliverToClient(mac: string, flow: number, seq: number, frame: Uint8Array): void;
}

/** Counts of what happened to client-addressed frames, across all nodes sharing the object. */
export interface ClientFrameStats {
  /** Re-forwarded by a node the client had left, to its new originator. */
  roamForwarded: number;
  /** Dropped at a node the client had left (roaming advertisement off, or no new originator known). */
  clientNotHere: number;
  /** Dropped at the sender: no node announces the client. */
  unknownClient: number;
}

export function newClientFrameStats(): ClientFrameStats {
  return { roamForwarded: 0, clientNotHere: 0, unknownClient: 0 };
}

export function trafficApp(
  metrics: FlowMetrics,
  trace: Trace,
  routerApp = 'batman',
  clientStats: ClientFrameStats = newClientFrameStats(),
): AppFactory {
  return (ctx: NodeContext): TrafficApp => {
    const medium = ctx.medium(DATA_PORT);
    const router = (): (NodeApp & Partial<ClientRouter>) | undefined =>
      ctx.app<NodeApp & Partial<ClientRouter>>(routerApp);
    const route = (frame: Uint8Array, dst: number, flow: number, seq: number): void => {
      const nh = router()?.nextHop?.(dst);
      if (nh === undefined) {
        trace.drop(
          ctx.scheduler.now(),
          ctx.node,
          DATA_PORT,
          'no-route',
          `flow ${flow} seq ${seq} to ${ctx.nameOf(dst)}`,
        );
        return;
      }
      medium.send(frame, ctx.nameOf(nh));
    };
    const handOver = (mac: string, flow: number, seq: number, frame: Uint8Array): void => {
      const air = ctx.app<StationAir>('stations');
      if (!air) {
        trace.drop(
          ctx.scheduler.now(),
          ctx.node,
          DATA_PORT,
          'no-stations-app',
          `flow ${flow} seq ${seq} to ${mac}`,
        );
        return;
      }
      air.deliverToClient(mac, flow, seq, frame);
    };
    let held = 0;
    /**
     * A client frame addressed to this node: the client's originator as the sender saw it.
     * `heldSince`: when the frame started waiting here for the client's new originator.
     */
    const arrivedForClient = (
      frame: Uint8Array,
      h: DataHeader,
      mac: string,
      heldSince?: number,
    ): void => {
      const now = ctx.scheduler.now();
      const r = router();
      const at = r?.clientOriginator?.(mac);
      if (at === ctx.address) return handOver(mac, h.flow, h.seq, frame);
      const since = heldSince ?? now;
      if (
        at === undefined &&
        r?.roamingAdvertisement &&
        now - since < ROAM_HOLD_MS &&
        (heldSince !== undefined || held < MAX_HELD_FRAMES)
      ) {
        if (heldSince === undefined) held++;
        ctx.scheduler.after(ROAM_HOLD_STEP_MS, () => arrivedForClient(frame, h, mac, since));
        return;
      }
      if (heldSince !== undefined) held--;
      const waited = now - since > 0 ? `, held ${Math.round(now - since)} ms` : '';
      if (
        r?.roamingAdvertisement &&
        at !== undefined &&
        (h.roamForwards ?? 0) < MAX_ROAM_FORWARDS &&
        h.ttl > 1
      ) {
        clientStats.roamForwarded++;
        ctx.emit({
          at: now,
          node: ctx.node,
          kind: 'roam-forward',
          subject: mac,
          from: ctx.node,
          to: ctx.nameOf(at),
          reason: `flow ${h.flow} seq ${h.seq}: client ${mac} roamed to ${ctx.nameOf(at)}${waited}`,
        });
        route(reForwarded(frame, at, h.ttl - 1), at, h.flow, h.seq);
        return;
      }
      clientStats.clientNotHere++;
      trace.drop(
        now,
        ctx.node,
        DATA_PORT,
        'client-not-here',
        `flow ${h.flow} seq ${h.seq} to ${mac}${at === undefined ? '' : ` (now at ${ctx.nameOf(at)})`}${waited}`,
      );
    };
    medium.onFrame((frame) => {
      let h;
      try {
        h = decodeDataFrame(frame);
      } catch (e) {
        trace.drop(ctx.scheduler.now(), ctx.node, DATA_PORT, 'malformed', (e as Error).message);
        return;
      }
      if (h.dst === ctx.address) {
        if (h.client !== undefined) arrivedForClient(frame, h, h.client);
        else metrics.delivered(h.flow, h.seq, ctx.scheduler.now());
        return;
      }
      if (h.ttl <= 1) {
        trace.drop(
          ctx.scheduler.now(),
          ctx.node,
          DATA_PORT,
          'ttl-expired',
          `flow ${h.flow} seq ${h.seq}`,
        );
        return;
      }
      route(withTtl(frame, h.ttl - 1), h.dst, h.flow, h.seq);
    });
    return {
      name: 'traffic',
      originate: (flow, seq, dst, size) => {
        metrics.sent(flow, seq, ctx.scheduler.now());
        route(
          encodeDataFrame({ src: ctx.address, dst, ttl: DATA_TTL, flow, seq }, size),
          dst,
          flow,
          seq,
        );
      },
      originateToClient: (flow, seq, mac, size) => {
        const now = ctx.scheduler.now();
        metrics.sent(flow, seq, now);
        const r = router();
        const dst = r?.clientOriginator?.(mac);
        if (dst === undefined && r?.roamingAdvertisement && r.clientLeftRecently?.(mac)) {
          // The client just left this very node: wait for its new one's advertisement here,
          // as a frame from elsewhere would.
          const header = { src: ctx.address, dst: ctx.address, ttl: DATA_TTL, flow, seq };
          const frame = encodeDataFrame({ ...header, client: mac, roamForwards: 0 }, size);
          arrivedForClient(frame, decodeDataFrame(frame), mac);
          return;
        }
        if (dst === undefined) {
          clientStats.unknownClient++;
          trace.drop(
            now,
            ctx.node,
            DATA_PORT,
            'unknown-client',
            `flow ${flow} seq ${seq} to ${mac}`,
          );
          return;
        }
        const frame = encodeDataFrame(
          { src: ctx.address, dst, ttl: DATA_TTL, flow, seq, client: mac, roamForwards: 0 },
          size,
        );
        if (dst === ctx.address) handOver(mac, flow, seq, frame);
        else route(frame, dst, flow, seq);
      },
      stop: () => {},
    };
  };
}
