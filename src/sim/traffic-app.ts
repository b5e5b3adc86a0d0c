/**
 * Carries the simulator's data flows hop by hop over whatever router runs on the node (the
 * B.A.T.M.A.N. engine's `nextHop`): it originates packets for flows starting here, delivers
 * those addressed here and forwards the rest; with no next hop, a packet is dropped and traced.
 *
 * @example
 * const node = new SimNode('n1', 1, deps, [routingApp(), trafficApp(metrics, trace)]);
 */
import type { AppFactory, NodeApp, NodeContext } from './node-host.ts';
import { decodeDataFrame, encodeDataFrame, withTtl } from './data-frame.ts';
import type { FlowMetrics } from './metrics.ts';
import type { Router } from './routing-app.ts';
import type { Trace } from './trace.ts';

export const DATA_PORT = 'data';
const DATA_TTL = 64;

export interface TrafficApp extends NodeApp {
  /** Originates packet `seq` of `flow` towards `dst`. */
  originate(flow: number, seq: number, dst: number, size: number): void;
}

export function trafficApp(metrics: FlowMetrics, trace: Trace, routerApp = 'batman'): AppFactory {
  return (ctx: NodeContext): TrafficApp => {
    const medium = ctx.medium(DATA_PORT);
    const route = (frame: Uint8Array, dst: number, flow: number, seq: number): void => {
      const router = ctx.app<NodeApp & Router>(routerApp);
      const nh = router?.nextHop(dst);
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
    medium.onFrame((frame) => {
      let h;
      try {
        h = decodeDataFrame(frame);
      } catch (e) {
        trace.drop(ctx.scheduler.now(), ctx.node, DATA_PORT, 'malformed', (e as Error).message);
        return;
      }
      if (h.dst === ctx.address) {
        metrics.delivered(h.flow, h.seq, ctx.scheduler.now());
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
      stop: () => {},
    };
  };
}
