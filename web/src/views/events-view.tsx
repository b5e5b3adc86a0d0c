/**
 * The event timeline of the whole site, or of one node, with the agents' reasons and what the
 * controller itself observed (nodes going down, coming back and rebooting, alerts, pushes),
 * filtered by node and by kind of event.
 */
import { useState } from 'react';
import type { MeshEvent, NodeRecord } from '../api/types.ts';
import { EventTimeline } from '../components/event-timeline.tsx';
import { useResource } from '../use-resource.ts';

/** The kind filter's choices: a family (`node-*`) or one kind, as `GET /api/events` takes them. */
export const EVENT_KIND_FILTERS: readonly { value: string; label: string }[] = [
  { value: '', label: 'all kinds' },
  { value: 'node-up,node-down,node-reboot', label: 'node up / down / reboot' },
  { value: 'alert-*', label: 'alerts opened / acknowledged / closed' },
  { value: 'push-*', label: 'configuration pushes' },
  { value: 'gateway-select,gateway-announce', label: 'gateway selection and announcement' },
  { value: 'wan-state', label: 'WAN state' },
  { value: 'route-change', label: 'route changes' },
  { value: 'upgrade-campaign', label: 'firmware upgrades' },
  { value: 'client-roamed', label: 'client roams' },
  { value: 'client-*', label: 'clients: associated / roamed / left' },
];

export function EventsView() {
  const [node, setNode] = useState('');
  const [kind, setKind] = useState('');
  const nodes = useResource<NodeRecord[]>('/api/nodes');
  const query = new URLSearchParams({ limit: '300' });
  if (node) query.set('node', node);
  if (kind) query.set('kind', kind);
  const events = useResource<MeshEvent[]>(`/api/events?${query}`, (c) => c.type === 'event');
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
        <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="kind filter">
          {EVENT_KIND_FILTERS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      <section className="card">
        {events.error && <div className="error">{events.error.message}</div>}
        {events.data &&
          (events.data.length === 0 && (node || kind) ? (
            <p className="muted empty">No events match these filters.</p>
          ) : (
            <EventTimeline events={events.data} />
          ))}
      </section>
    </div>
  );
}
