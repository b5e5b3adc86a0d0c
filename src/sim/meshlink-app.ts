/**
 * Runs the real meshlink node (MeshlinkHost over its own port of the node's radio) inside the
 * simulator, with the B.A.T.M.A.N. engine on the same node as its router: meshlink takes the
 * engine's next hop when it has one and floods when not. Flows with `via: meshlink` send their
 * packets as meshlink messages (hop-by-hop ACKs, retries, end-to-end receipts).
 *
 * Flow packets carry their flow id (u16) and sequence number (u32) in the first 6 bytes so the
 * destination can account for them.
 *
 * @example
 * const node = new SimNode('n1', 1, deps, [routingApp(), meshlinkApp(metrics)]);
 * node.boot();
 * node.app<MeshlinkApp>('meshlink')!.originate(0, 1, 5, 64);
 */
import { MeshlinkHost } from '../meshlink/meshlink-host.ts';
import type { FlowMetrics } from './metrics.ts';
import type { AppFactory, NodeApp, NodeContext } from './node-host.ts';
import type { Router } from './routing-app.ts';
import type { FlowSender } from './traffic-app.ts';

export const MESHLINK_PORT = 'meshlink';

export interface MeshlinkApp extends FlowSender {
  readonly host: MeshlinkHost;
}

export function meshlinkApp(metrics: FlowMetrics, routerApp = 'batman'): AppFactory {
  return (ctx: NodeContext): MeshlinkApp => {
    const host = new MeshlinkHost({
      address: ctx.address,
      medium: ctx.medium(MESHLINK_PORT),
      scheduler: ctx.scheduler,
      random: ctx.random.fork('meshlink'),
      name: ctx.node,
      router: { nextHop: (dst) => ctx.app<NodeApp & Router>(routerApp)?.nextHop(dst) },
    });
    host.on('message', (_from: number, data: Uint8Array) => {
      if (data.length < 6) return;
      const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
      metrics.delivered(v.getUint16(0), v.getUint32(2), ctx.scheduler.now());
    });
    // Unreachable reports and other decisions go to the trace as events.
    host.on('event', (e: Parameters<NodeContext['emit']>[0]) => ctx.emit(e));
    return {
      name: 'meshlink',
      host,
      originate: (flow, seq, dst, size) => {
        metrics.sent(flow, seq, ctx.scheduler.now());
        const payload = new Uint8Array(Math.max(6, size));
        const v = new DataView(payload.buffer);
        v.setUint16(0, flow);
        v.setUint32(2, seq >>> 0);
        // Failures surface synchronously as 'unreachable' events; the promise only settles
        // in a microtask, outside virtual time, so it is not traced.
        host.send(dst, payload).catch(() => {});
      },
      stop: () => host.close(),
    };
  };
}
