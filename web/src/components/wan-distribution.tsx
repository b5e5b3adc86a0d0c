/**
 * How traffic is spread: per node with WANs, one bar split by each WAN's share of new flows
 * (coloured by the WAN's state), plus the clients each node serves. Only online nodes' shares
 * are live: an offline node's row is greyed and says it is its last-known share and when. Below,
 * the traffic each online node's WANs carry now, measured from their byte counters.
 *
 * @example
 * <WanDistribution nodes={nodes} />
 */
import type { NodeRecord } from '../api/types.ts';
import { formatPercent, formatTime } from '../lib/format.ts';
import { COLOURS, wanHealth } from '../lib/status-colour.ts';
import { asOf, staleClass } from './state-age.tsx';

export function WanDistribution({ nodes }: { nodes: NodeRecord[] }) {
  const withWans = nodes.filter((n) => (n.state?.wans ?? []).some((w) => w.kind !== 'mesh'));
  const maxClients = Math.max(1, ...nodes.map((n) => n.state?.clients ?? 0));
  return (
    <div className="distribution" data-testid="wan-distribution">
      <h3>WAN share of new flows</h3>
      {withWans.length === 0 && <p className="muted empty">No node reports a WAN.</p>}
      {withWans.map((n) => {
        const wans = n.state!.wans.filter((w) => w.kind !== 'mesh');
        const total = wans.reduce((sum, w) => sum + (w.share ?? 0), 0);
        const when = asOf(n);
        return (
          <div
            key={n.node}
            className={`dist-row ${staleClass(n) ?? ''}`}
            data-node={n.node}
            title={
              when ? `${n.online ? 'stale' : 'offline'}: last-known share, ${when}` : undefined
            }
          >
            <span className="dist-label">
              {n.node}
              {when && (
                <span className="small muted" data-testid="dist-age">
                  {' '}
                  {n.online ? 'stale' : 'offline'}, {when}
                </span>
              )}
            </span>
            <div className="bar">
              {!n.online ? (
                <div className="seg none">offline: carries no traffic</div>
              ) : total === 0 ? (
                <div className="seg none">no WAN carrying traffic</div>
              ) : (
                wans
                  .filter((w) => (w.share ?? 0) > 0)
                  .map((w) => (
                    <div
                      key={w.name}
                      className="seg"
                      style={{
                        width: `${((w.share ?? 0) / total) * 100}%`,
                        background: COLOURS[wanHealth(w.state)],
                      }}
                      title={`${w.name}: ${formatPercent(w.share)} (${w.state})`}
                    >
                      {w.name} {formatPercent(w.share)}
                    </div>
                  ))
              )}
            </div>
          </div>
        );
      })}
      <TrafficNow nodes={nodes} />
      <h3>Clients per node</h3>
      {nodes.map((n) => (
        <div key={n.node} className={`dist-row ${staleClass(n) ?? ''}`} title={asOf(n)}>
          <span className="dist-label">{n.node}</span>
          <div className="bar thin">
            <div
              className="seg"
              style={{
                width: `${((n.state?.clients ?? 0) / maxClients) * 100}%`,
                background: COLOURS.accent,
              }}
            />
          </div>
          <span className="small muted">{n.state?.clients ?? 0}</span>
        </div>
      ))}
    </div>
  );
}

/**
 * The traffic each online node's WANs carry now (download, from the byte counters of its last
 * reports): the balance the policy's shares produce, and where a failure moved it.
 */
function TrafficNow({ nodes }: { nodes: NodeRecord[] }) {
  const rows = nodes.flatMap((n) => {
    const uplinks = new Map((n.state?.wans ?? []).map((w) => [w.name, w]));
    const wans = Object.entries(n.wan_traffic ?? {}).filter(
      ([name, t]) => uplinks.get(name)?.kind !== 'mesh' && t.rx_bps !== null,
    );
    return n.online && wans.length > 0 ? [{ node: n.node, wans, uplinks }] : [];
  });
  if (rows.length === 0) return null;
  return (
    <>
      <h3>Traffic now (download, online nodes)</h3>
      {rows.map(({ node, wans, uplinks }) => {
        const total = wans.reduce((sum, [, t]) => sum + (t.rx_bps ?? 0), 0);
        return (
          <div key={node} className="dist-row" data-testid="traffic-now" data-node={node}>
            <span className="dist-label">{node}</span>
            <div className="bar">
              {total === 0 ? (
                <div className="seg none">no traffic</div>
              ) : (
                wans
                  .filter(([, t]) => (t.rx_bps ?? 0) > 0)
                  .map(([name, t]) => (
                    <div
                      key={name}
                      className="seg"
                      data-wan={name}
                      style={{
                        width: `${((t.rx_bps ?? 0) / total) * 100}%`,
                        background: COLOURS[wanHealth(uplinks.get(name)?.state ?? 'unknown')],
                      }}
                      title={`${name}: ${formatMbit(t.rx_bps)} at ${formatTime(t.at)}`}
                    >
                      {name} {formatMbit(t.rx_bps)}
                    </div>
                  ))
              )}
            </div>
          </div>
        );
      })}
    </>
  );
}

function formatMbit(bps: number | null): string {
  return bps === null ? '–' : `${(bps / 1e6).toFixed(1)} Mbit/s`;
}
