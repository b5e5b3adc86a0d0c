/**
 * The landing page: the four headline numbers, the live topology, open alerts, the latest agent
 * decisions, and how traffic is spread over the WANs.
 */
import type { Alert, MeshEvent, NodeRecord, Overview } from '../api/types.ts';
import { AlertList } from '../components/alert-list.tsx';
import { EventTimeline } from '../components/event-timeline.tsx';
import { KpiCards } from '../components/kpi-cards.tsx';
import { NodesTable } from '../components/nodes-table.tsx';
import { TopologyPanel } from '../components/topology-panel.tsx';
import { WanDistribution } from '../components/wan-distribution.tsx';
import { useResource } from '../use-resource.ts';
import { useNow } from '../use-now.ts';

export function OverviewView() {
  const now = useNow();
  const overview = useResource<Overview>('/api/overview', (c) => c.type !== 'push');
  const alerts = useResource<Alert[]>('/api/alerts', (c) => c.type === 'alert');
  const events = useResource<MeshEvent[]>('/api/events?limit=12', (c) => c.type === 'event');
  const nodes = useResource<NodeRecord[]>('/api/nodes', (c) => c.type === 'node');
  return (
    <div className="overview">
      <div className="page-head">
        <h1>{overview.data ? `Site ${overview.data.site}` : 'Site'}</h1>
        {overview.data && !overview.data.mqtt_connected && (
          <span className="pill bad">controller not connected to the broker</span>
        )}
      </div>
      {overview.data && <KpiCards overview={overview.data} />}
      <div className="grid-main">
        <TopologyPanel height={460} />
        <div className="stack">
          <section className="card">
            <div className="card-head">
              <h2>Open alerts</h2>
              <a href="#/alerts">all alerts</a>
            </div>
            {alerts.data && <AlertList alerts={alerts.data} now={now} />}
          </section>
          <section className="card">
            <div className="card-head">
              <h2>Latest decisions</h2>
              <a href="#/events">timeline</a>
            </div>
            {events.data && <EventTimeline events={events.data} />}
          </section>
        </div>
      </div>
      <div className="grid-2">
        <section className="card">
          <div className="card-head">
            <h2>Nodes</h2>
          </div>
          {nodes.data && <NodesTable nodes={nodes.data} />}
        </section>
        <section className="card">
          <div className="card-head">
            <h2>WAN and traffic distribution</h2>
          </div>
          {nodes.data && <WanDistribution nodes={nodes.data} />}
        </section>
      </div>
    </div>
  );
}
