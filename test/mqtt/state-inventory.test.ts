import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/mqtt/messages.ts';
import { DemoWorld } from '../../src/demo/demo-world.ts';

const base = {
  node: 'gw-1',
  at: 1,
  uptime_s: 10,
  role: 'gateway',
  wans: [],
  gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
  neighbours: [],
};

describe('inventory fields of the state message', () => {
  it('keeps IP, MAC and model when sent, and still takes a state from an older agent without them', () => {
    const d = decodeMessage(
      'state',
      JSON.stringify({
        ...base,
        ip: '10.0.0.1',
        mac: '02:00:00:00:00:01',
        model: 'GL.iNet GL-X3000',
      }),
    );
    expect(d.ok && d.value).toMatchObject({
      ip: '10.0.0.1',
      mac: '02:00:00:00:00:01',
      model: 'GL.iNet GL-X3000',
    });
    expect(decodeMessage('state', JSON.stringify(base)).ok).toBe(true);
    const bad = decodeMessage('state', JSON.stringify({ ...base, mac: 'not-a-mac' }));
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain('mac');
  });

  it('the demo nodes report a plausible IP, MAC and model each', () => {
    const world = new DemoWorld({ nodes: 24, seed: 1 });
    world.advanceTo(2_000);
    const gw = world.report('n0');
    const mesh = world.report('n7');
    expect(gw).toMatchObject({
      ip: '10.42.0.1',
      mac: '02:00:00:00:00:01',
      model: 'GL.iNet GL-X3000',
    });
    expect(mesh.ip).toBe('10.42.0.8');
    expect(mesh.model).toMatch(/TP-Link|Ubiquiti/);
    const ips = new Set(world.nodeNames.map((n) => world.report(n).ip));
    expect(ips.size).toBe(24);
  });
});
