/**
 * The dashboard's fault panel acting on the simulated mesh: kill and restore nodes (crash and
 * boot), cut and restore WANs (wired: carrier lost; 4G: the cell disappears, so the modem's dial
 * state machine loses its session and retries), degrade a link with extra loss and restore it.
 * Faults go through the simulator's own fault injection, so they are traced like scenario faults.
 *
 * @example
 * world.faults.apply({ action: 'degrade-link', a: 'n3', b: 'n4', loss: 0.4 });
 * world.faults.active(); // [{ action: 'degrade-link', a: 'n3', b: 'n4', loss: 0.4, since: ... }]
 */
import {
  FaultTargetError,
  type ActiveFault,
  type DemoFaults,
  type FaultRequest,
  type FaultTargets,
} from '../controller/http/demo-faults.ts';
import type { DemoWorld } from './demo-world.ts';

export class SimFaults implements DemoFaults {
  private readonly activeFaults = new Map<string, ActiveFault>();

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

  active(): ActiveFault[] {
    return [...this.activeFaults.values()];
  }

  apply(r: FaultRequest): void {
    const at_s = this.world.now() / 1000;
    const sim = this.world.sim;
    switch (r.action) {
      case 'kill-node':
      case 'restore-node': {
        this.node(r.node);
        const kill = r.action === 'kill-node';
        if (this.world.isUp(r.node) === kill)
          sim.inject({ at_s, kind: kill ? 'node-crash' : 'node-boot', target: r.node });
        this.track(`node:${r.node}`, kill ? r : null);
        break;
      }
      case 'cut-wan':
      case 'restore-wan': {
        const wan = this.wan(r.node, r.wan);
        const cut = r.action === 'cut-wan';
        if (wan.kind === 'modem') this.world.setCoverage(r.node, r.wan, !cut);
        else sim.inject({ at_s, kind: cut ? 'wan-down' : 'wan-up', target: `${r.node}/${r.wan}` });
        this.track(`wan:${r.node}/${r.wan}`, cut ? r : null);
        break;
      }
      case 'degrade-link':
      case 'restore-link': {
        const key = this.link(r.a, r.b);
        const loss = r.action === 'degrade-link' ? r.loss : this.world.layout.scenario.link.loss;
        sim.inject({ at_s, kind: 'link-degrade', target: key, loss });
        this.track(`link:${key}`, r.action === 'degrade-link' ? r : null);
        break;
      }
    }
  }

  private track(key: string, r: FaultRequest | null): void {
    if (r) this.activeFaults.set(key, { ...r, since: this.wallClock() });
    else this.activeFaults.delete(key);
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

  private link(a: string, b: string): string {
    const l = this.world.sim.topology.links.find(
      (x) => (x.a === a && x.b === b) || (x.a === b && x.b === a),
    );
    if (!l) {
      this.node(a);
      this.node(b);
      throw new FaultTargetError('b', `no link between '${a}' and '${b}'`);
    }
    return `${l.a}-${l.b}`;
  }
}
