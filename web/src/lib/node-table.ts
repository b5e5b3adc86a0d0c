/**
 * The node table's rows, without React: what each column shows and sorts by, the search over
 * names and addresses, the online/role filters, and the order (natural, so n2 comes before n10).
 * Missing values (an agent that does not report its MAC, a node without state) sort last in
 * either direction, so they never crowd the top of the table.
 *
 * @example
 * const rows = nodeRows(nodes, { search: '10.42', status: 'online', role: 'all' }, { column: 'uptime', direction: 'descending' });
 */
import type { NodeRecord } from '../api/types.ts';
import { naturalCompare } from './natural-sort.ts';

export type NodeColumn =
  | 'node'
  | 'status'
  | 'role'
  | 'via'
  | 'ip'
  | 'mac'
  | 'model'
  | 'firmware'
  | 'neighbours'
  | 'clients'
  | 'uptime';

export type SortDirection = 'ascending' | 'descending';

export interface NodeSort {
  column: NodeColumn;
  direction: SortDirection;
}

export type StatusFilter = 'all' | 'online' | 'offline';
export type RoleFilter = 'all' | 'gateway' | 'mesh' | 'client';

export interface NodeFilter {
  search: string;
  status: StatusFilter;
  role: RoleFilter;
}

export const NO_FILTER: NodeFilter = { search: '', status: 'all', role: 'all' };
export const DEFAULT_SORT: NodeSort = { column: 'node', direction: 'ascending' };

/** How the node reaches the internet: its own WAN, the gateway it selected, or none. */
export function internetVia(n: NodeRecord): string | null {
  const s = n.state;
  if (!s) return null;
  const own = s.wans.some(
    (w) => w.kind !== 'mesh' && w.active && (w.state === 'up' || w.state === 'degraded'),
  );
  return own ? 'own WAN' : (s.gateway.selected ?? 'none');
}

/** The value a column sorts by; undefined when the node does not report it. */
export function sortKey(n: NodeRecord, column: NodeColumn): string | number | undefined {
  const s = n.state;
  switch (column) {
    case 'node':
      return n.node;
    case 'status':
      return n.online ? 0 : 1;
    case 'role':
      return s?.role;
    case 'via':
      return internetVia(n) ?? undefined;
    case 'ip':
      return s?.ip === undefined ? undefined : ipSortKey(s.ip);
    case 'mac':
      return s?.mac;
    case 'model':
      return s?.model;
    case 'firmware':
      return s?.firmware_version ?? undefined;
    case 'neighbours':
      return s?.neighbours.length;
    case 'clients':
      return s?.clients;
    case 'uptime':
      return s?.uptime_s;
  }
}

/** IPv4 dotted quads padded so 10.42.0.9 sorts before 10.42.0.10; anything else as it is. */
function ipSortKey(ip: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m
    ? m
        .slice(1)
        .map((x) => x.padStart(3, '0'))
        .join('.')
    : ip;
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return naturalCompare(String(a), String(b));
}

export function matchesFilter(n: NodeRecord, f: NodeFilter): boolean {
  if (f.status === 'online' && !n.online) return false;
  if (f.status === 'offline' && n.online) return false;
  if (f.role !== 'all' && n.state?.role !== f.role) return false;
  const q = f.search.trim().toLowerCase();
  if (!q) return true;
  const s = n.state;
  return [n.node, s?.ip, s?.mac, s?.model, s?.firmware_version, s?.gateway.selected]
    .filter((x): x is string => typeof x === 'string')
    .some((x) => x.toLowerCase().includes(q));
}

/** The rows to show: filtered, then sorted by the column (ties broken by node name). */
export function nodeRows(
  nodes: readonly NodeRecord[],
  filter: NodeFilter = NO_FILTER,
  sort: NodeSort = DEFAULT_SORT,
): NodeRecord[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return nodes
    .filter((n) => matchesFilter(n, filter))
    .sort((x, y) => {
      const a = sortKey(x, sort.column);
      const b = sortKey(y, sort.column);
      if (a === undefined || b === undefined) {
        if (a !== b) return a === undefined ? 1 : -1;
      } else {
        const c = compareKeys(a, b);
        if (c !== 0) return sign * c;
      }
      return naturalCompare(x.node, y.node);
    });
}

/** Clicking a header: a new column sorts ascending, the same one flips. */
export function nextSort(current: NodeSort, column: NodeColumn): NodeSort {
  if (current.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
