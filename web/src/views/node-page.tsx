/**
 * One node: status, uptime, location, the gateway it uses, each WAN with latency, loss and traffic charts,
 * neighbours with TQ, routes, VLANs, clients, its alerts, decisions and configuration pushes.
 */
import { formatBandwidth } from '../../../src/core/bandwidth.ts';
import type { NodeDetail, WanReport } from '../api/types.ts';
import { AlertList } from '../components/alert-list.tsx';
import { EventTimeline } from '../components/event-timeline.tsx';
import { MetricChart } from '../components/metric-chart.tsx';
import { NodeStations } from '../components/node-stations.tsx';
import { StateAge, asOf, isLive, staleClass } from '../components/state-age.tsx';
import { formatAge, formatDuration, formatMs, formatPercent } from '../lib/format.ts';
import { COLOURS, tqStatus, wanHealth } from '../lib/status-colour.ts';
import { formatTimestamp } from '../lib/timestamp.ts';
import { useNow } from '../use-now.ts';
import { useResource } from '../use-resource.ts';

/** The history charts of each WAN: series `wan.<name>.<metric>` as the controller records them. */
const WAN_CHARTS = [
  { metric: 'latency_ms', title: 'Latency', unit: ' ms', scale: 1, colour: COLOURS.accent },
  { metric: 'loss', title: 'Loss', unit: '%', scale: 100, colour: COLOURS.warn },
  { metric: 'rx_bps', title: 'Traffic in', unit: ' Mbit/s', scale: 1e-6, colour: COLOURS.accent },
  { metric: 'tx_bps', title: 'Traffic out', unit: ' Mbit/s', scale: 1e-6, colour: COLOURS.accent },
];

export function NodePage({ node }: { node: string }) {
  const now = useNow();
  const detail = useResource<NodeDetail>(
    `/api/nodes/${encodeURIComponent(node)}`,
    (c) =>
      (c.type === 'node' && c.node === node) ||
      (c.type === 'event' && c.event.node === node) ||
      (c.type === 'alert' && c.alert.node === node) ||
      (c.type === 'push' && c.push.node === node) ||
      // A client that roamed away from here names only its new AP: any client change counts.
      c.type === 'client',
  );
  if (detail.error) return <div className="error">{detail.error.message}</div>;
  const d = detail.data;
  if (!d) return null;
  const s = d.state;
  // An offline node's state is its last-known one (a stale one likewise): greyed, dated.
  const live = isLive(d);
  const dim = staleClass(d);
  const when = asOf(d);
  return (
    <div className="node-page" data-testid="node-page">
      <div className="page-head">
        <h1>{d.node}</h1>
        <span className={`pill ${d.online ? 'good' : 'bad'}`}>
          {d.online ? 'online' : 'offline'}
        </span>
        {s && <span className="pill unknown">{s.role}</span>}
        <span className="spacer" />
        <a className="button ghost" href={`#/config/${encodeURIComponent(d.node)}`}>
          Configure
        </a>
      </div>
      <StateAge node={d} now={now} />
      <div className={`facts card ${dim ?? ''}`}>
        <Fact label="Uptime" value={s ? formatDuration(s.uptime_s) : '–'} />
        <Fact label="Last heard" value={formatAge(d.last_seen, now)} />
        <Fact
          label="State reported"
          value={d.state_at !== null ? formatAge(d.state_at, now) : 'never'}
          testId="state-reported"
        />
        <Fact
          label="Location"
          value={s?.location ? `x ${s.location.x}, y ${s.location.y}` : 'not reported'}
        />
        <Fact
          label="Gateway"
          value={
            !s
              ? '–'
              : withAge(
                  s.gateway.announcing
                    ? `announcing (${formatBandwidth(s.gateway.bandwidth_down_kbit, s.gateway.bandwidth_up_kbit)})`
                    : s.role === 'gateway'
                      ? 'not announcing'
                      : 'no',
                  when,
                )
          }
          testId="gateway-fact"
        />
        <Fact
          label="Selected gateway"
          value={withAge(s?.gateway.selected ?? 'none', when)}
          testId="selected-gateway"
        />
        <Fact label="Clients" value={String(s?.clients ?? '–')} />
        <Fact label="Config version" value={s?.config_version ?? '–'} />
      </div>
      {s && (
        <>
          <h2>WANs{when && <span className="muted small"> (last known, {when})</span>}</h2>
          <div className={`wan-grid ${dim ?? ''}`}>
            {s.wans.length === 0 && <p className="muted empty">This node has no WAN.</p>}
            {s.wans.map((w) => (
              <section key={w.name} className={`card wan ${wanHealth(w.state)}`} data-wan={w.name}>
                <div className="card-head">
                  <h3>
                    {w.name} <span className="muted small">{w.kind}</span>
                  </h3>
                  <span className={`pill ${wanHealth(w.state)}`}>{w.state}</span>
                </div>
                <div className="wan-facts" data-testid="wan-facts">
                  {when && <span>{when}</span>}
                  <span>{wanUse(w, live)}</span>
                  <span>share {formatPercent(w.share)}</span>
                  <span>latency {w.latency_ms === null ? 'no reply' : formatMs(w.latency_ms)}</span>
                  <span>loss {formatPercent(w.loss)}</span>
                </div>
                {w.modem && (
                  <div className="wan-facts small">
                    <span>modem {w.modem.state}</span>
                    {w.modem.operator && <span>{w.modem.operator}</span>}
                    {w.modem.rsrp_dbm != null && <span>RSRP {w.modem.rsrp_dbm} dBm</span>}
                    {w.modem.sinr_db != null && <span>SINR {w.modem.sinr_db} dB</span>}
                  </div>
                )}
                {/* The mesh uplink is not probed: only its traffic is charted. */}
                {WAN_CHARTS.filter((c) => w.kind !== 'mesh' || c.metric.endsWith('_bps')).map(
                  (c) => (
                    <MetricChart
                      key={c.metric}
                      node={d.node}
                      series={`wan.${w.name}.${c.metric}`}
                      title={c.title}
                      unit={c.unit}
                      scale={c.scale}
                      colour={c.colour}
                    />
                  ),
                )}
              </section>
            ))}
          </div>
          <div className="grid-3">
            <section className={`card ${dim ?? ''}`}>
              <h2>Neighbours{when && <span className="muted small"> ({when})</span>}</h2>
              <table className="table compact" data-testid="neighbours">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>TQ</th>
                    <th>Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {s.neighbours.map((nb) => (
                    <tr key={nb.node}>
                      <td>
                        <a href={`#/nodes/${encodeURIComponent(nb.node)}`}>{nb.node}</a>
                      </td>
                      <td>
                        <span className={`pill ${tqStatus(nb.tq)}`}>{nb.tq}</span>
                      </td>
                      <td>{formatMs(nb.last_seen_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section className={`card ${dim ?? ''}`}>
              <h2>Routes{when && <span className="muted small"> ({when})</span>}</h2>
              {(s.routes ?? []).length === 0 ? (
                <p className="muted empty">No routes reported.</p>
              ) : (
                <table className="table compact">
                  <thead>
                    <tr>
                      <th>Destination</th>
                      <th>Next hop</th>
                      <th>TQ</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(s.routes ?? []).map((r) => (
                      <tr key={r.destination}>
                        <td>{r.destination}</td>
                        <td>{r.next_hop}</td>
                        <td>
                          <span className={`pill ${tqStatus(r.tq)}`}>{r.tq}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section className="card">
              <h2>VLANs</h2>
              {(s.vlans ?? []).length === 0 ? (
                <p className="muted empty">No VLANs reported.</p>
              ) : (
                <ul className="plain">
                  {(s.vlans ?? []).map((v) => (
                    <li key={v.id}>
                      <strong>{v.id}</strong> {v.name}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      )}
      <NodeStations stations={d.stations} />
      <div className="grid-2">
        <section className="card">
          <h2>Alerts</h2>
          <AlertList alerts={d.alerts} now={now} />
        </section>
        <section className="card">
          <h2>Decisions</h2>
          <EventTimeline events={d.events} showNode={false} />
        </section>
      </div>
      <section className="card">
        <h2>Configuration pushes</h2>
        <PushTable pushes={d.pushes} />
      </section>
    </div>
  );
}

/** A value of a state that is not live, dated. */
function withAge(value: string, when: string | undefined): string {
  return when ? `${value} (last known, ${when})` : value;
}

/** What the WAN does now; a WAN of a node that is not live is only said to have done it. */
function wanUse(w: WanReport, live: boolean): string {
  const use = w.active ? 'carrying traffic' : 'standby';
  const recovering = w.status === 'connecting' ? 'recovering · ' : '';
  return live ? `${recovering}${use}` : `was ${use}`;
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="fact" data-testid={testId}>
      <div className="fact-label">{label}</div>
      <div className="fact-value">{value}</div>
    </div>
  );
}

export function PushTable({ pushes }: { pushes: NodeDetail['pushes'] }) {
  const now = useNow();
  if (pushes.length === 0) return <p className="muted empty">No configuration pushed yet.</p>;
  return (
    <table className="table compact" data-testid="push-table">
      <thead>
        <tr>
          <th>Pushed</th>
          <th>Version</th>
          <th>Node</th>
          <th>Status</th>
          <th>Reason</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {pushes.map((p) => (
          <tr key={p.id} data-version={p.version} data-status={p.status}>
            <td
              data-testid="push-time"
              title={`pushed ${new Date(p.created_at).toISOString()}, last change ${new Date(p.updated_at).toISOString()}`}
            >
              {formatTimestamp(p.created_at, now)}
            </td>
            <td>{p.version}</td>
            <td>{p.node}</td>
            <td>
              <span className={`pill ${pushHealth(p.status)}`}>{p.status}</span>
            </td>
            <td>{p.reason}</td>
            <td>{p.requested_by}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function pushHealth(status: string): string {
  if (status === 'confirmed') return 'good';
  if (status === 'rejected' || status === 'failed' || status === 'rolled-back') return 'bad';
  return 'warn';
}
