import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../web/src/api/types.ts';
import { naturalCompare } from '../../web/src/lib/natural-sort.ts';
import { nextSort, nodeRows, NO_FILTER } from '../../web/src/lib/node-table.ts';
import { formatBandwidth, formatRate } from '../../src/core/bandwidth.ts';

function node(name: string, extra: Partial<NonNullable<NodeRecord['state']>> = {}, online = true) {
  const n: NodeRecord = {
    node: name,
    site: 'lab',
    first_seen: 0,
    last_seen: 0,
    online,
    state_at: 0,
    state_age_ms: 0,
    state_freshness: online ? 'live' : 'last-known',
    state: {
      node: name,
      at: 0,
      uptime_s: 100,
      role: 'mesh',
      wans: [],
      gateway: { announcing: false, bandwidth_down_kbit: 0, bandwidth_up_kbit: 0, selected: null },
      neighbours: [],
      ...extra,
    },
  };
  return n;
}

const names = (rows: NodeRecord[]) => rows.map((r) => r.node);

describe('natural sort', () => {
  it('orders numbers inside names by value, ignoring case', () => {
    expect(['n10', 'n1', 'n2', 'N3', 'gw-10', 'gw-9'].sort(naturalCompare)).toEqual([
      'gw-9',
      'gw-10',
      'n1',
      'n2',
      'N3',
      'n10',
    ]);
  });
});

describe('node table rows', () => {
  const nodes = [
    node('n10', { uptime_s: 5, ip: '10.42.0.10', model: 'Ubiquiti EdgeRouter X', role: 'gateway' }),
    node('n2', { uptime_s: 50, ip: '10.42.0.2', mac: '02:00:00:00:00:02' }),
    node('n1', { uptime_s: 500, ip: '10.42.0.9', firmware_version: 'OpenWrt 23.05.3' }, false),
    { ...node('n3'), state: null },
  ];

  it('sorts by name naturally by default', () => {
    expect(names(nodeRows(nodes))).toEqual(['n1', 'n2', 'n3', 'n10']);
  });

  it('sorts by a column either way; missing values last both ways', () => {
    const up = { column: 'uptime', direction: 'ascending' } as const;
    expect(names(nodeRows(nodes, NO_FILTER, up))).toEqual(['n10', 'n2', 'n1', 'n3']);
    expect(names(nodeRows(nodes, NO_FILTER, { ...up, direction: 'descending' }))).toEqual([
      'n1',
      'n2',
      'n10',
      'n3',
    ]);
    // 10.42.0.9 before 10.42.0.10, numerically.
    expect(names(nodeRows(nodes, NO_FILTER, { column: 'ip', direction: 'ascending' }))).toEqual([
      'n2',
      'n1',
      'n10',
      'n3',
    ]);
  });

  it('searches name, IP, MAC, model and firmware, and filters by status and role', () => {
    const f = (search: string) => names(nodeRows(nodes, { ...NO_FILTER, search }));
    expect(f('edgerouter')).toEqual(['n10']);
    expect(f('00:02')).toEqual(['n2']);
    expect(f('openwrt 23')).toEqual(['n1']);
    expect(f('10.42.0.1')).toEqual(['n10']);
    expect(f('N1')).toEqual(['n1', 'n10']);
    expect(names(nodeRows(nodes, { ...NO_FILTER, status: 'offline' }))).toEqual(['n1']);
    expect(names(nodeRows(nodes, { ...NO_FILTER, status: 'online' }))).toEqual(['n2', 'n3', 'n10']);
    expect(names(nodeRows(nodes, { ...NO_FILTER, role: 'gateway' }))).toEqual(['n10']);
  });

  it('a header click sorts ascending, a second one descending', () => {
    const s1 = nextSort({ column: 'node', direction: 'ascending' }, 'uptime');
    expect(s1).toEqual({ column: 'uptime', direction: 'ascending' });
    expect(nextSort(s1, 'uptime')).toEqual({ column: 'uptime', direction: 'descending' });
  });
});

describe('bandwidth', () => {
  it('shows a down/up pair in one readable unit', () => {
    expect(formatBandwidth(130_000, 25_000)).toBe('130 / 25 Mbit/s');
    expect(formatBandwidth(1_500, 500)).toBe('1.5 / 0.5 Mbit/s');
    expect(formatBandwidth(800, 200)).toBe('800 / 200 kbit/s');
    expect(formatBandwidth(1_000_000, 250_000)).toBe('1 / 0.3 Gbit/s');
    expect(formatRate(20_000)).toBe('20 Mbit/s');
    expect(formatRate(0)).toBe('0 kbit/s');
  });
});
