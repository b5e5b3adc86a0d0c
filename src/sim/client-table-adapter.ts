/**
 * The thin seam to the routing engine's client table (issue 13, Seam 1), kept in one place:
 * the routing app may offer `clientAdded`/`clientRemoved` itself (then it sends the engine's
 * frames and re-arms its timer), else the engine's methods are called and their output goes
 * out on the node's OGM port from here. An engine without the methods is skipped (the station
 * model still runs, the mesh just does not learn where clients are); with the translation table
 * switched off the caller does not ask at all (the engine would refuse the calls).
 *
 * @example
 * const t = clientTable(ctx, 'batman', medium);
 * t?.added('02:00:00:00:00:01', 0, now);
 */
import type { MeshEvent } from '../core/events.ts';
import type { Medium } from '../core/medium.ts';
import type { NodeApp, NodeContext } from './node-host.ts';

interface Output {
  frames: Array<{ bytes: Uint8Array; to?: number | undefined }>;
  events: MeshEvent[];
}

interface EngineClientTable {
  clientAdded(mac: string, vid: number, now: number): Output;
  clientRemoved(mac: string, now: number): Output;
  clientSeen(mac: string, now: number): void;
  clientOriginator(mac: string): number | undefined;
}

interface AppClientTable {
  clientAdded(mac: string, vid: number): void;
  clientRemoved(mac: string): void;
  clientSeen(mac: string): void;
}

export interface ClientTable {
  added(mac: string, vid: number, now: number): void;
  removed(mac: string, now: number): void;
  /** The client is alive (an AP hears its frames), so the local table keeps it. */
  seen(mac: string, now: number): void;
  /** Where this node sends data for `mac` now; undefined when it does not know. */
  originatorOf(mac: string): number | undefined;
}

const isFn = (x: unknown): x is (...a: never[]) => unknown => typeof x === 'function';

/** The client table of the routing app `routerApp` on this node, if it has one. */
export function clientTable(
  ctx: NodeContext,
  routerApp: string,
  ogm: () => Medium,
): ClientTable | undefined {
  const app = ctx.app<NodeApp & Partial<AppClientTable> & { engine?: Partial<EngineClientTable> }>(
    routerApp,
  );
  const engine = app?.engine;
  if (!app || !engine || !isFn(engine.clientOriginator)) return undefined;
  const originatorOf = (mac: string): number | undefined => engine.clientOriginator!(mac);
  if (isFn(app.clientAdded) && isFn(app.clientRemoved) && isFn(app.clientSeen))
    return {
      added: (mac, vid) => app.clientAdded!(mac, vid),
      removed: (mac) => app.clientRemoved!(mac),
      seen: (mac) => app.clientSeen!(mac),
      originatorOf,
    };
  if (!isFn(engine.clientAdded) || !isFn(engine.clientRemoved) || !isFn(engine.clientSeen))
    return undefined;
  const send = (out: Output): void => {
    for (const f of out.frames)
      ogm().send(f.bytes, f.to === undefined ? undefined : ctx.nameOf(f.to));
    for (const e of out.events) ctx.emit(e);
  };
  return {
    added: (mac, vid, now) => send(engine.clientAdded!(mac, vid, now)),
    removed: (mac, now) => send(engine.clientRemoved!(mac, now)),
    seen: (mac, now) => engine.clientSeen!(mac, now),
    originatorOf,
  };
}
