/**
 * The event timeline of the whole site, or of one node, with the agents' reasons.
 */
import { useState } from 'react';
import type { MeshEvent, NodeRecord } from '../api/types.ts';
import { EventTimeline } from '../components/event-timeline.tsx';
import { useResource } from '../use-resource.ts';

export function EventsView() {
  const [node, setNode] = useState('');
  const nodes = useResource<NodeRecord[]>('/api/nodes');
  const events = useResource<MeshEvent[]>(
    `/api/events?limit=300${node ? `&node=${encodeURIComponent(node)}` : ''}`,
    (c) => c.type === 'event',
  );
  return (
    <div>
      <div className="page-head">
        <h1>Event timeline</h1>
        <select value={node} onChange={(e) => setNode(e.target.value)} aria-label="node filter">
          <option value="">all nodes</option>
          {(nodes.data ?? []).map((n) => (
            <option key={n.node} value={n.node}>
              {n.node}
            </option>
          ))}
        </select>
      </div>
      <section className="card">
        {events.error && <div className="error">{events.error.message}</div>}
        {events.data && <EventTimeline events={events.data} />}
      </section>
    </div>
  );
}
