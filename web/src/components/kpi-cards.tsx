/**
 * The four numbers an operator reads first: nodes online, gateways announcing, WANs up, open
 * alerts, each coloured by how far it is from healthy. Each says what it counts: a dead node's
 * WANs are in the total, not up, and the detail line says how many are on offline nodes.
 *
 * @example
 * <KpiCards overview={overview} />
 */
import type { Overview } from '../api/types.ts';
import type { Health } from '../lib/status-colour.ts';

function ratioHealth(ok: number, total: number): Health {
  if (total === 0) return 'unknown';
  if (ok === total) return 'good';
  return ok === 0 ? 'bad' : 'warn';
}

export function KpiCards({ overview: o }: { overview: Overview }) {
  const alerts: Health = o.alerts_critical > 0 ? 'bad' : o.alerts_open > 0 ? 'warn' : 'good';
  return (
    <div className="kpis" data-testid="kpis">
      <Kpi
        id="nodes"
        title="Nodes online"
        value={`${o.nodes_online} / ${o.nodes_total}`}
        detail={o.nodes_stale > 0 ? `${o.nodes_stale} with a stale state` : undefined}
        health={ratioHealth(o.nodes_online, o.nodes_total)}
      />
      <Kpi
        id="gateways"
        title="Gateways announcing"
        value={`${o.gateways_announcing} / ${o.gateways}`}
        health={ratioHealth(o.gateways_announcing, o.gateways)}
      />
      <Kpi
        id="wans"
        title="WANs up"
        value={`${o.wans_up} / ${o.wans_total}`}
        detail={
          o.wans_on_offline_nodes > 0
            ? `${o.wans_up} of ${o.wans_total} up, ${o.wans_on_offline_nodes} on ${o.wans_on_offline_nodes === 1 ? 'an offline node' : 'offline nodes'}`
            : undefined
        }
        health={ratioHealth(o.wans_up, o.wans_total)}
      />
      <Kpi
        id="alerts"
        title="Open alerts"
        value={String(o.alerts_open)}
        detail={o.alerts_critical > 0 ? `${o.alerts_critical} critical` : undefined}
        health={alerts}
      />
    </div>
  );
}

function Kpi(props: { id: string; title: string; value: string; detail?: string; health: Health }) {
  return (
    <div className={`kpi ${props.health}`} data-testid={`kpi-${props.id}`}>
      <div className="kpi-title">{props.title}</div>
      <div className="kpi-value">{props.value}</div>
      {props.detail && <div className="kpi-detail">{props.detail}</div>}
    </div>
  );
}
