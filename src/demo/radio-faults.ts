/**
 * The fault panel over both simulated meshes: the Wi-Fi mesh's faults (SimFaults) plus radio
 * nodes taken off the air and back. A radio node is a node target named `radio-<address>`, so
 * the panel's `kill-node` / `restore-node` requests and its node list serve it unchanged; the
 * radio gateway (address 1) is not offered, as the demo's radio mesh keeps it up. Killing a
 * dead radio node or restoring a live one is a FaultConflictError (409), like a mesh node.
 *
 * @example
 * const faults = new RadioFaults(world.faults, radio, () => Date.now());
 * faults.apply({ action: 'kill-node', node: 'radio-5' }); // node 5 goes silent
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
import type { RunningRadioDemo } from '../radio-gateway/radio-demo.ts';
import { radioFaultTarget, radioTargetAddress } from './radio-fault-target.ts';

export class RadioFaults implements DemoFaults {
  /** Radio nodes the panel killed, and when (wall-clock ms). */
  private readonly killed = new Map<number, number>();

  constructor(
    private readonly mesh: DemoFaults,
    private readonly radio: Pick<RunningRadioDemo, 'nodes' | 'kill' | 'revive'>,
    private readonly wallClock: () => number,
  ) {}

  targets(): FaultTargets {
    const t = this.mesh.targets();
    return {
      ...t,
      nodes: [...t.nodes, ...this.radioNodes().map((n) => radioFaultTarget(n.address))],
    };
  }

  state(): FaultState {
    const s = this.mesh.state();
    const radio = this.radioNodes().map((n) => ({
      node: radioFaultTarget(n.address),
      state: n.alive ? ('up' as const) : ('down' as const),
    }));
    return { ...s, nodes: [...s.nodes, ...radio] };
  }

  active(): ActiveFault[] {
    const radio = [...this.killed].map(([address, since]): ActiveFault => ({
      kind: 'node-killed',
      target: radioFaultTarget(address),
      since: new Date(since).toISOString(),
      since_ms: since,
      parameters: {},
      restore: { action: 'restore-node', node: radioFaultTarget(address) },
    }));
    return [...this.mesh.active(), ...radio].sort((a, b) => a.since_ms - b.since_ms);
  }

  apply(request: FaultRequest): void {
    const address =
      request.action === 'kill-node' || request.action === 'restore-node'
        ? radioTargetAddress(request.node)
        : undefined;
    if (address === undefined) return this.mesh.apply(request);
    const node = this.radioNodes().find((n) => n.address === address);
    if (!node)
      throw new FaultTargetError('node', `no radio node ${address} in the demo's radio mesh`);
    if (request.action === 'kill-node') {
      if (!node.alive) throw new FaultConflictError(`radio node ${address} is already off the air`);
      this.radio.kill(address);
      this.killed.set(address, Math.round(this.wallClock()));
    } else {
      if (node.alive)
        throw new FaultConflictError(`radio node ${address} is on the air: nothing to restore`);
      this.radio.revive(address);
      this.killed.delete(address);
    }
  }

  /** The radio nodes the panel may act on: all but the gateway. */
  private radioNodes() {
    return this.radio.nodes().filter((n) => !n.gateway);
  }
}
