/**
 * Runs the sans-IO B.A.T.M.A.N. IV engine on a host node: OGM frames from the node's Medium go
 * into `receive`, the engine's frames go out as broadcasts, `tick` runs at `nextDeadline()`,
 * events go to the trace. It offers `nextHop(dst)`, the router contract meshlink expects, and,
 * with the translation table on, `clientOriginator(mac)` for frames addressed to a client. The
 * engine's unicast TT messages (TT request/response, roaming advertisement) go to the one
 * neighbour the engine names, on the same port, hop by hop.
 *
 * @example
 * const node = new SimNode('n1', 1, deps, [routingApp({ originatorIntervalMs: 1000 })]);
 * node.boot();
 * node.app<RoutingApp>('batman')!.nextHop(3);
 */
import { BatmanEngine, type EngineOutput } from '../routing/batman-engine.ts';
import type { BatmanOptions } from '../routing/batman-options.ts';
import type { AppFactory, NodeApp, NodeContext } from './node-host.ts';

export const OGM_PORT = 'ogm';

/** What a forwarding layer needs from a routing engine (meshlink's `router` option). */
export interface Router {
  nextHop(dst: number): number | undefined;
}

/** What the data plane needs to carry frames addressed to a client (a station's MAC). */
export interface ClientRouter extends Router {
  /** The originator the client is attached to now (our own address when here). */
  clientOriginator(mac: string): number | undefined;
  /** Whether a node a client left forwards frames for it to its new originator. */
  readonly roamingAdvertisement: boolean;
  /** Whether the client left this node since its last OGM. */
  clientLeftRecently(mac: string): boolean;
}

export interface RoutingApp extends NodeApp, ClientRouter {
  readonly engine: BatmanEngine;
  /**
   * The engine's clientAdded/clientRemoved/clientSeen at the current virtual time, with their
   * output (a roaming advertisement) sent: what a station model calls on (re)association.
   */
  clientAdded(mac: string, vid: number): void;
  clientRemoved(mac: string): void;
  clientSeen(mac: string): void;
}

export type RoutingAppOptions = Omit<BatmanOptions, 'address' | 'random' | 'name'> & {
  /** Per-node extras such as a gateway announcement. */
  perNode?: (node: string) => Partial<BatmanOptions>;
};

export function routingApp(options: RoutingAppOptions = {}): AppFactory {
  return (ctx: NodeContext): RoutingApp => {
    const { perNode, ...common } = options;
    const engine = new BatmanEngine(
      {
        ...common,
        ...perNode?.(ctx.node),
        address: ctx.address,
        random: ctx.random.fork('batman'),
        name: ctx.node,
        nameOf: ctx.nameOf,
      },
      ctx.scheduler.now(),
    );
    const medium = ctx.medium(OGM_PORT);
    let scheduledAt = Number.POSITIVE_INFINITY;
    let stopped = false;

    const handle = (out: EngineOutput): void => {
      for (const f of out.frames) {
        if (f.bytes.length > medium.mtu) {
          // A TT response for a very large table (TT messages are not fragmented): say so
          // rather than stop the run.
          ctx.emit({
            at: ctx.scheduler.now(),
            node: ctx.node,
            kind: 'frame-too-large',
            subject: f.to === undefined ? '*' : ctx.nameOf(f.to),
            from: null,
            to: null,
            reason: `${f.bytes.length}-byte routing frame exceeds the ${medium.mtu}-byte MTU; not sent`,
          });
          continue;
        }
        medium.send(f.bytes, f.to === undefined ? undefined : ctx.nameOf(f.to));
      }
      for (const e of out.events) ctx.emit(e);
    };
    const arm = (): void => {
      const deadline = engine.nextDeadline();
      if (deadline >= scheduledAt) return;
      scheduledAt = deadline;
      ctx.scheduler.after(deadline - ctx.scheduler.now(), () => {
        // A later, earlier-armed timer may have run the tick already.
        if (stopped || scheduledAt !== deadline) return;
        scheduledAt = Number.POSITIVE_INFINITY;
        handle(engine.tick(ctx.scheduler.now()));
        arm();
      });
    };
    medium.onFrame((frame, from) => {
      const address = ctx.addressOf(from);
      if (address === undefined || stopped) return;
      handle(engine.receive(frame, address, ctx.scheduler.now()));
      arm();
    });
    arm();
    return {
      name: 'batman',
      engine,
      nextHop: (dst) => engine.nextHop(dst),
      clientOriginator: (mac) => engine.clientOriginator(mac),
      clientLeftRecently: (mac) => engine.clientLeftRecently(mac),
      get roamingAdvertisement() {
        return engine.roamingAdvertisement;
      },
      clientAdded: (mac, vid) => {
        if (stopped) return;
        handle(engine.clientAdded(mac, vid, ctx.scheduler.now()));
        arm();
      },
      clientRemoved: (mac) => {
        if (stopped) return;
        handle(engine.clientRemoved(mac, ctx.scheduler.now()));
        arm();
      },
      clientSeen: (mac) => {
        if (!stopped) engine.clientSeen(mac, ctx.scheduler.now());
      },
      stop: () => {
        stopped = true;
      },
    };
  };
}
