/**
 * The demo's radio mesh behind the fault panel. RadioFaults alone: radio nodes (not the gateway)
 * join the node targets as `radio-<address>`, kill and restore reach the radio mesh and are
 * listed as active faults, conflicts and unknown addresses are refused, and every other request
 * still goes to the Wi-Fi mesh. Then the whole demo (`startDemo`): its radio gateway logs in to
 * the broker, and the fault API kills and restores a radio node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FaultConflictError,
  FaultTargetError,
  type DemoFaults,
  type FaultRequest,
} from '../../src/controller/http/demo-faults.ts';
import { RadioFaults } from '../../src/demo/radio-faults.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';

class MeshFaults implements DemoFaults {
  readonly applied: FaultRequest[] = [];
  targets() {
    return { nodes: ['n0', 'n1'], wans: [], links: [] };
  }
  state() {
    return {
      nodes: [
        { node: 'n0', state: 'up' as const },
        { node: 'n1', state: 'up' as const },
      ],
      wans: [],
      links: [],
    };
  }
  active() {
    return [];
  }
  apply(r: FaultRequest) {
    this.applied.push(r);
  }
}

class FakeRadio {
  readonly alive = new Map([
    [1, true],
    [2, true],
    [3, true],
  ]);
  nodes() {
    return [...this.alive].map(([address, alive]) => ({ address, alive, gateway: address === 1 }));
  }
  kill(a: number) {
    this.alive.set(a, false);
  }
  revive(a: number) {
    this.alive.set(a, true);
  }
}

describe('RadioFaults', () => {
  it('adds the radio nodes but not the gateway to the node targets, with their state', () => {
    const faults = new RadioFaults(new MeshFaults(), new FakeRadio(), () => 1_000);
    expect(faults.targets().nodes).toEqual(['n0', 'n1', 'radio-2', 'radio-3']);
    expect(faults.state().nodes.map((n) => `${n.node}:${n.state}`)).toEqual([
      'n0:up',
      'n1:up',
      'radio-2:up',
      'radio-3:up',
    ]);
  });

  it('kills and restores a radio node, listing it as an active fault meanwhile', () => {
    const radio = new FakeRadio();
    const mesh = new MeshFaults();
    const faults = new RadioFaults(mesh, radio, () => 1_700_000_000_000);
    faults.apply({ action: 'kill-node', node: 'radio-3' });
    expect(radio.alive.get(3)).toBe(false);
    expect(faults.state().nodes.find((n) => n.node === 'radio-3')?.state).toBe('down');
    expect(faults.active()).toEqual([
      {
        kind: 'node-killed',
        target: 'radio-3',
        since: '2023-11-14T22:13:20.000Z',
        since_ms: 1_700_000_000_000,
        parameters: {},
        restore: { action: 'restore-node', node: 'radio-3' },
      },
    ]);
    faults.apply({ action: 'restore-node', node: 'radio-3' });
    expect(radio.alive.get(3)).toBe(true);
    expect(faults.active()).toEqual([]);
    expect(mesh.applied).toEqual([]);
  });

  it('refuses a dead node’s kill, a live node’s restore and an unknown or gateway address', () => {
    const faults = new RadioFaults(new MeshFaults(), new FakeRadio(), () => 0);
    expect(() => faults.apply({ action: 'restore-node', node: 'radio-2' })).toThrow(
      FaultConflictError,
    );
    faults.apply({ action: 'kill-node', node: 'radio-2' });
    expect(() => faults.apply({ action: 'kill-node', node: 'radio-2' })).toThrow(
      /radio node 2 is already off the air/,
    );
    expect(() => faults.apply({ action: 'kill-node', node: 'radio-9' })).toThrow(FaultTargetError);
    expect(() => faults.apply({ action: 'kill-node', node: 'radio-1' })).toThrow(FaultTargetError);
  });

  it('passes every other request to the Wi-Fi mesh', () => {
    const mesh = new MeshFaults();
    const faults = new RadioFaults(mesh, new FakeRadio(), () => 0);
    faults.apply({ action: 'kill-node', node: 'n1' });
    faults.apply({ action: 'cut-wan', node: 'n0', wan: 'wan' });
    expect(mesh.applied).toEqual([
      { action: 'kill-node', node: 'n1' },
      { action: 'cut-wan', node: 'n0', wan: 'wan' },
    ]);
  });
});

describe('the demo with its radio mesh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-radio-demo-'));
  let demo: RunningDemo | undefined;

  afterAll(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs ten radio nodes whose gateway reports over MQTT, and kills one from the fault API', async () => {
    demo = await startDemo({
      port: 0,
      nodes: 6,
      dbPath: join(dir, 'demo.db'),
      adminPassword: 'radio-pw',
    });
    // startDemo resolved: the radio gateway logged in to the broker with its own credentials.
    expect(demo.radio?.nodes()).toHaveLength(10);
    const login = await fetch(`${demo.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'radio-pw' }),
    });
    const headers = {
      authorization: `Bearer ${((await login.json()) as { token: string }).token}`,
      'content-type': 'application/json',
    };
    const targets = (await (await fetch(`${demo.url}/api/demo/faults`, { headers })).json()) as {
      targets: { nodes: string[] };
    };
    expect(targets.targets.nodes.filter((n) => n.startsWith('radio-'))).toHaveLength(9);
    const kill = await fetch(`${demo.url}/api/demo/faults`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'kill-node', node: 'radio-5' }),
    });
    expect(kill.status).toBeLessThan(300);
    expect(demo.radio!.nodes().find((n) => n.address === 5)?.alive).toBe(false);
    const again = await fetch(`${demo.url}/api/demo/faults`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ action: 'kill-node', node: 'radio-5' }),
    });
    expect(again.status).toBe(409);
  });
});
