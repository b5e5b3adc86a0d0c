/**
 * The dashboard's fault panel acting on the simulated mesh: kill and restore nodes (crash and
 * boot), cut and restore WANs (wired: carrier lost; 4G: the cell disappears, so the modem's dial
 * state machine loses its session and retries), degrade a link with extra loss and restore it.
 * Faults go through the simulator's own fault injection, so they are traced like scenario faults.
 * Every request is checked against the target's state first: killing a dead node, restoring a
 * live one, cutting a cut WAN or restoring a link that is not degraded is a FaultConflictError
 * (409 at the API), so a double click cannot stack faults or "restore" what was never broken.
 *
 * @example
 * world.faults.apply({ action: 'degrade-link', a: 'n3', b: 'n4', loss: 0.4 });
 * world.faults.active(); // [{ kind: 'link-degraded', target: 'n3-n4', since: '2026-…Z', since_ms: …, parameters: { loss: 0.4 }, … }]
 */
import {
  FaultConflictError,
  FaultTargetError,
  type ActiveFault,
  type DemoFaults,
  type FaultRequest,
  type FaultState,
  type FaultTargets,
} from '../controller/http/demo-faults.ts';
import type { DemoWorld } from './demo-world.ts';

/** A fault the panel put in force: the request and when (integer wall-clock ms). */
interface TrackedFault {
  request: FaultRequest;
  since: number;
}

export class SimFaults implements DemoFaults {
  private readonly tracked = new Map<string, TrackedFault>();
  /** Crashes and boots injected but not yet run by the simulator (it runs them on its next step). */
  private readonly pendingNode = new Map<string, 'up' | 'down'>();

  constructor(
    private readonly world: DemoWorld,
    private readonly wallClock: () => number = () => world.now(),
  ) {}

  targets(): FaultTargets {
    const w = this.world;
    return {
      nodes: w.nodeNames,
      wans: w.gatewayNames.flatMap((node) => w.wansOf(node).map((x) => ({ node, wan: x.name }))),
      links: w.sim.topology.links.map((l) => ({ a: l.a, b: l.b })),
    };
  }

  state(): FaultState {
    const t = this.targets();
    const channel = this.world.sim.channel;
    return {
      nodes: t.nodes.map((node) => ({ node, state: this.nodeState(node) })),
      wans: t.wans.map(({ node, wan }) => ({
        node,
        wan,
        state: this.tracked.has(wanKey(node, wan)) ? 'cut' : 'up',
      })),
      links: t.links.map(({ a, b }) => {
        const f = this.tracked.get(linkKey(a, b))?.request;
        // The requested loss, even before the simulator's next step puts it on the channel.
        const loss = f?.action === 'degrade-link' ? f.loss : channel.params(a, b).loss;
        return { a, b, state: f ? 'degraded' : 'normal', loss };
      }),
    };
  }

  active(): ActiveFault[] {
    const out: ActiveFault[] = [];
    for (const [key, f] of this.tracked) {
      const r = f.request;
      // A killed node that came back by another way (an upgrade's reboot) is no longer a fault.
      if (r.action === 'kill-node' && this.nodeState(r.node) === 'up') {
        this.tracked.delete(key);
        continue;
      }
      const since = { since: new Date(f.since).toISOString(), since_ms: f.since };
      switch (r.action) {
        case 'kill-node':
          out.push({
            kind: 'node-killed',
            target: r.node,
            ...since,
            parameters: {},
            restore: { action: 'restore-node', node: r.node },
          });
          break;
        case 'cut-wan':
          out.push({
            kind: 'wan-cut',
            target: `${r.node}/${r.wan}`,
            ...since,
            parameters: { wan_kind: this.wan(r.node, r.wan).kind },
            restore: { action: 'restore-wan', node: r.node, wan: r.wan },
          });
          break;
        case 'degrade-link':
          out.push({
            kind: 'link-degraded',
            target: `${r.a}-${r.b}`,
            ...since,
            parameters: { loss: r.loss },
            restore: { action: 'restore-link', a: r.a, b: r.b },
          });
          break;
        default:
          break;
      }
    }
    return out.sort((x, y) => x.since_ms - y.since_ms);
  }

  apply(r: FaultRequest): void {
    const at_s = this.world.now() / 1000;
    const sim = this.world.sim;
    switch (r.action) {
      case 'kill-node':
      case 'restore-node': {
        this.node(r.node);
        const kill = r.action === 'kill-node';
        const up = this.nodeState(r.node) === 'up';
        if (kill && !up) throw new FaultConflictError(`node ${r.node} is already down`);
        if (!kill && up) throw new FaultConflictError(`node ${r.node} is up: nothing to restore`);
        sim.inject({ at_s, kind: kill ? 'node-crash' : 'node-boot', target: r.node });
        this.pendingNode.set(r.node, kill ? 'down' : 'up');
        this.track(`node:${r.node}`, kill ? r : null);
        break;
      }
      case 'cut-wan':
      case 'restore-wan': {
        const wan = this.wan(r.node, r.wan);
        const cut = r.action === 'cut-wan';
        const key = wanKey(r.node, r.wan);
        const current = this.tracked.get(key);
        if (cut && current)
          throw new FaultConflictError(
            `WAN ${r.node}/${r.wan} is already cut (since ${new Date(current.since).toISOString()})`,
          );
        if (!cut && !current)
          throw new FaultConflictError(`WAN ${r.node}/${r.wan} is up: nothing to restore`);
        if (wan.kind === 'modem') this.world.setCoverage(r.node, r.wan, !cut);
        else sim.inject({ at_s, kind: cut ? 'wan-down' : 'wan-up', target: `${r.node}/${r.wan}` });
        this.track(key, cut ? r : null);
        break;
      }
      case 'degrade-link':
      case 'restore-link': {
        const link = this.link(r.a, r.b);
        const key = linkKey(link.a, link.b);
        const degrade = r.action === 'degrade-link';
        if (!degrade && !this.tracked.has(key))
          throw new FaultConflictError(
            `link ${link.a}-${link.b} is not degraded: nothing to restore`,
          );
        const loss = degrade ? r.loss : this.world.layout.scenario.link.loss;
        sim.inject({ at_s, kind: 'link-degrade', target: `${link.a}-${link.b}`, loss });
        // Degrading a degraded link changes its loss; the fault keeps its first time.
        const since = this.tracked.get(key)?.since;
        this.track(key, degrade ? { ...r, a: link.a, b: link.b } : null, since);
        break;
      }
    }
  }

  /** Up or down as the simulator will have it once it runs what was injected. */
  private nodeState(node: string): 'up' | 'down' {
    const actual = this.world.isUp(node) ? 'up' : 'down';
    const pending = this.pendingNode.get(node);
    if (pending === undefined || pending === actual) {
      this.pendingNode.delete(node);
      return actual;
    }
    return pending;
  }

  private track(key: string, r: FaultRequest | null, since?: number): void {
    if (r) this.tracked.set(key, { request: r, since: since ?? Math.round(this.wallClock()) });
    else this.tracked.delete(key);
  }

  private node(name: string): void {
    if (!this.world.nodeNames.includes(name))
      throw new FaultTargetError('node', `no node '${name}' in the demo mesh`);
  }

  private wan(node: string, wan: string) {
    this.node(node);
    const w = this.world.wansOf(node).find((x) => x.name === wan);
    if (!w) throw new FaultTargetError('wan', `node '${node}' has no WAN '${wan}'`);
    return w;
  }

  private link(a: string, b: string): { a: string; b: string } {
    const l = this.world.sim.topology.links.find(
      (x) => (x.a === a && x.b === b) || (x.a === b && x.b === a),
    );
    if (!l) {
      this.node(a);
      this.node(b);
      throw new FaultTargetError('b', `no link between '${a}' and '${b}'`);
    }
    return { a: l.a, b: l.b };
  }
}

function wanKey(node: string, wan: string): string {
  return `wan:${node}/${wan}`;
}

/** Links are tracked in the topology's own order of their ends. */
function linkKey(a: string, b: string): string {
  return `link:${a}-${b}`;
}
