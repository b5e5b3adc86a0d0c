/**
 * The timeline in time order, each event with its reason: what changed (subject, from → to)
 * and why, as the node itself explained it, or as the controller saw it (marked "controller":
 * a node going offline, an alert, a push).
 *
 * @example
 * <EventTimeline events={events} />
 */
import { isClientEventKind } from '../api/client-types.ts';
import type { MeshEvent } from '../api/types.ts';
import { formatTime } from '../lib/format.ts';

export function EventTimeline({
  events,
  showNode = true,
}: {
  events: MeshEvent[];
  showNode?: boolean;
}) {
  if (events.length === 0) return <p className="muted empty">No events recorded yet.</p>;
  return (
    <ol className="timeline" data-testid="event-timeline">
      {events.map((e) => (
        <li key={e.id} data-kind={e.kind} data-source={e.source}>
          <time>{formatTime(e.at)}</time>
          <div>
            <div>
              {showNode &&
                (e.node === 'controller' ? (
                  // The controller's own decisions (upgrade campaigns) name no node page.
                  <span className="node-link">{e.node}</span>
                ) : (
                  <a className="node-link" href={`#/nodes/${encodeURIComponent(e.node)}`}>
                    {e.node}
                  </a>
                ))}{' '}
              <span className="kind">{e.kind}</span>{' '}
              {isClientEventKind(e.kind) ? (
                // A client event's subject is the client's MAC: its page has the whole history.
                <a className="client-link" href={`#/clients/${encodeURIComponent(e.subject)}`}>
                  <strong>{e.subject}</strong>
                </a>
              ) : (
                <strong>{e.subject}</strong>
              )}
              {e.source === 'controller' && e.node !== 'controller' && (
                <span className="muted" title="observed by the controller, not decided by the node">
                  {' '}
                  (controller)
                </span>
              )}
              {(e.from !== null || e.to !== null) && (
                <span className="muted">
                  {' '}
                  {e.from ?? '∅'} → {e.to ?? '∅'}
                </span>
              )}
            </div>
            <div className="reason">{e.reason}</div>
          </div>
        </li>
      ))}
    </ol>
  );
}
