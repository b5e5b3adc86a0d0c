import { describe, expect, it } from 'vitest';
import { networkGraph } from '../../src/controller/netjson.ts';
import type { NodeRecord } from '../../src/controller/store/records.ts';

const record: NodeRecord = {
  node: 'n3',
  site: 'lab',
  first_seen: 1_796_534_600_000,
  last_seen: 1_796_534_696_860.9724,
  online: true,
  state_at: 1_796_534_696_860,
  state: {
    node: 'n3',
    at: 1_796_534_696_860,
    uptime_s: 93.4,
    role: 'gateway',
    location: { x: 200, y: 100.4 },
    wans: [{ name: 'wan', kind: 'ethernet', state: 'up', active: true }],
    gateway: { announcing: true, bandwidth_down_kbit: 1, bandwidth_up_kbit: 1, selected: null },
    neighbours: [],
    ip: '10.42.0.3',
    mac: '02:00:00:00:00:03',
    model: 'GL.iNet GL-X3000',
    firmware_version: 'OpenWrt 23.05.3',
  },
};

describe('NetJSON node properties', () => {
  it('are flat and readable: no objects, integer ms and ISO times, position in metres', () => {
    const [node] = networkGraph('lab', [record]).nodes;
    const p = node!.properties;
    for (const [k, v] of Object.entries(p)) {
      expect(v === null || ['string', 'number', 'boolean'].includes(typeof v), k).toBe(true);
      if (typeof v === 'number') expect(Number.isInteger(v), k).toBe(true);
      expect(String(v), k).not.toContain('[object');
    }
    expect(p).toMatchObject({
      online: true,
      role: 'gateway',
      gateway: true,
      wans_up: 1,
      x_m: 200,
      y_m: 100,
      ip: '10.42.0.3',
      mac: '02:00:00:00:00:03',
      model: 'GL.iNet GL-X3000',
      firmware: 'OpenWrt 23.05.3',
      uptime_s: 93,
      last_seen: '2026-12-06T05:24:56.861Z',
      last_seen_ms: 1_796_534_696_861,
      time: '2026-12-06T05:24:56.861Z',
    });
    expect(p).not.toHaveProperty('location');
  });

  it('leaves out what a node does not report', () => {
    const [node] = networkGraph('lab', [{ ...record, state: null }]).nodes;
    expect(Object.keys(node!.properties).sort()).toEqual(
      [
        'gateway',
        'last_seen',
        'last_seen_ms',
        'online',
        'role',
        'selected_gateway',
        'time',
        'wans_up',
      ].sort(),
    );
  });
});
