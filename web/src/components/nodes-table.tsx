/**
 * Every node at a glance: online, role, gateway in use, WANs, neighbours, clients, uptime.
 *
 * @example
 * <NodesTable nodes={nodes} />
 */
import type { NodeRecord } from '../api/types.ts';
import { formatDuration } from '../lib/format.ts';
import { wanHealth } from '../lib/status-colour.ts';
import { asOf, staleClass } from './state-age.tsx';

export function NodesTable({ nodes }: { nodes: NodeRecord[] }) {
  if (nodes.length === 0) return <p className="muted empty">No node has reported yet.</p>;
  return (
    <table className="table" data-testid="nodes-table">
      <thead>
        <tr>
          <th>Node</th>
          <th>Status</th>
          <th>Role</th>
          <th>Internet via</th>
          <th>WANs</th>
          <th>Neighbours</th>
          <th>Clients</th>
          <th>Uptime</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => {
          const s = n.state;
          const wans = (s?.wans ?? []).filter((w) => w.kind !== 'mesh');
          const via = !s
            ? '–'
            : wans.some((w) => w.active && (w.state === 'up' || w.state === 'degraded'))
              ? 'own WAN'
              : (s.gateway.selected ?? 'none');
          return (
            // Not live (offline: last known; online: stale): greyed, dated in the tooltip.
            <tr
              key={n.node}
              data-node={n.node}
              className={
                [n.online ? '' : 'offline', staleClass(n) ?? ''].join(' ').trim() || undefined
              }
              title={asOf(n)}
            >
              <td>
                <a href={`#/nodes/${encodeURIComponent(n.node)}`}>{n.node}</a>
              </td>
              <td>
                <span className={`pill ${n.online ? 'good' : 'bad'}`}>
                  {n.online ? 'online' : 'offline'}
                </span>
              </td>
              <td>{s?.role ?? '–'}</td>
              <td data-testid="internet-via">{via}</td>
              <td>
                {wans.length === 0
                  ? '–'
                  : wans.map((w) => (
                      <span key={w.name} className={`pill ${wanHealth(w.state)}`} title={w.state}>
                        {w.name}
                      </span>
                    ))}
              </td>
              <td>{s?.neighbours.length ?? '–'}</td>
              <td>{s?.clients ?? '–'}</td>
              <td>{s ? formatDuration(s.uptime_s) : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
