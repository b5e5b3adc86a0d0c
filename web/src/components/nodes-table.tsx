/**
 * Every node at a glance: online, role, gateway in use, WANs, addresses, board, firmware,
 * neighbours, clients, uptime. Names sort naturally (n2 before n10); a header click sorts by
 * that column (again: the other way), the search box matches name, IP, MAC, model and firmware,
 * and the selects keep only online/offline nodes or one role.
 *
 * @example
 * <NodesTable nodes={nodes} />
 */
import { useState } from 'react';
import type { NodeRecord } from '../api/types.ts';
import { formatDuration } from '../lib/format.ts';
import {
  DEFAULT_SORT,
  NO_FILTER,
  internetVia,
  nextSort,
  nodeRows,
  type NodeColumn,
  type NodeFilter,
  type NodeSort,
  type RoleFilter,
  type StatusFilter,
} from '../lib/node-table.ts';
import { wanHealth } from '../lib/status-colour.ts';
import { asOf, staleClass } from './state-age.tsx';
import './nodes-table.css';

/** The class of a node's row; one place to say how a row looks for its node's condition. */
function rowClass(n: NodeRecord): string | undefined {
  // Not live (offline: last known; online: stale): greyed, dated in the row's tooltip.
  return [n.online ? '' : 'offline', staleClass(n) ?? ''].join(' ').trim() || undefined;
}

function SortHeader(props: {
  column: NodeColumn;
  label: string;
  sort: NodeSort;
  onSort: (c: NodeColumn) => void;
}) {
  const active = props.sort.column === props.column;
  return (
    <th
      className="sortable"
      aria-sort={active ? props.sort.direction : 'none'}
      data-column={props.column}
    >
      <button type="button" onClick={() => props.onSort(props.column)}>
        {props.label}
      </button>
    </th>
  );
}

export function NodesTable({ nodes }: { nodes: NodeRecord[] }) {
  const [sort, setSort] = useState<NodeSort>(DEFAULT_SORT);
  const [filter, setFilter] = useState<NodeFilter>(NO_FILTER);
  if (nodes.length === 0) return <p className="muted empty">No node has reported yet.</p>;
  const rows = nodeRows(nodes, filter, sort);
  const header = (column: NodeColumn, label: string) => (
    <SortHeader
      column={column}
      label={label}
      sort={sort}
      onSort={(c) => setSort((s) => nextSort(s, c))}
    />
  );
  return (
    <div>
      <div className="nodes-toolbar">
        <input
          type="search"
          placeholder="Search name, IP, MAC, model, firmware"
          aria-label="Search nodes"
          data-testid="node-search"
          value={filter.search}
          onChange={(e) => setFilter({ ...filter, search: e.target.value })}
        />
        <select
          aria-label="Status"
          data-testid="node-filter-status"
          value={filter.status}
          onChange={(e) => setFilter({ ...filter, status: e.target.value as StatusFilter })}
        >
          <option value="all">online and offline</option>
          <option value="online">online only</option>
          <option value="offline">offline only</option>
        </select>
        <select
          aria-label="Role"
          data-testid="node-filter-role"
          value={filter.role}
          onChange={(e) => setFilter({ ...filter, role: e.target.value as RoleFilter })}
        >
          <option value="all">all roles</option>
          <option value="gateway">gateways</option>
          <option value="mesh">mesh nodes</option>
          <option value="client">clients</option>
        </select>
        <span className="muted small" data-testid="node-count">
          {rows.length === nodes.length
            ? `${nodes.length} nodes`
            : `${rows.length} of ${nodes.length} nodes`}
        </span>
      </div>
      <div className="table-scroll">
        <table className="table" data-testid="nodes-table">
          <thead>
            <tr>
              {header('node', 'Node')}
              {header('status', 'Status')}
              {header('role', 'Role')}
              {header('via', 'Internet via')}
              <th>WANs</th>
              {header('ip', 'IP')}
              {header('mac', 'MAC')}
              {header('model', 'Model')}
              {header('firmware', 'Firmware')}
              {header('neighbours', 'Neighbours')}
              {header('clients', 'Clients')}
              {header('uptime', 'Uptime')}
            </tr>
          </thead>
          <tbody>
            {rows.map((n) => {
              const s = n.state;
              const wans = (s?.wans ?? []).filter((w) => w.kind !== 'mesh');
              return (
                <tr key={n.node} data-node={n.node} className={rowClass(n)} title={asOf(n)}>
                  <td>
                    <a href={`#/nodes/${encodeURIComponent(n.node)}`}>{n.node}</a>
                  </td>
                  <td>
                    <span className={`pill ${n.online ? 'good' : 'bad'}`}>
                      {n.online ? 'online' : 'offline'}
                    </span>
                  </td>
                  <td>{s?.role ?? '–'}</td>
                  <td data-testid="internet-via">{internetVia(n) ?? '–'}</td>
                  <td>
                    {wans.length === 0
                      ? '–'
                      : wans.map((w) => (
                          <span
                            key={w.name}
                            className={`pill ${wanHealth(w.state)}`}
                            title={w.state}
                          >
                            {w.name}
                          </span>
                        ))}
                  </td>
                  <td className="mono" data-testid="node-ip">
                    {s?.ip ?? '–'}
                  </td>
                  <td className="mono" data-testid="node-mac">
                    {s?.mac ?? '–'}
                  </td>
                  <td data-testid="node-model">{s?.model ?? '–'}</td>
                  <td data-testid="node-firmware">{s?.firmware_version ?? '–'}</td>
                  <td>{s?.neighbours.length ?? '–'}</td>
                  <td>{s?.clients ?? '–'}</td>
                  <td data-testid="node-uptime">{s ? formatDuration(s.uptime_s) : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
