/**
 * The agents' decisions in time order, each with its reason: what changed (subject, from → to)
 * and why, as the node itself explained it.
 *
 * @example
 * <EventTimeline events={events} />
 */
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
        <li key={e.id} data-kind={e.kind}>
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
              <span className="kind">{e.kind}</span> <strong>{e.subject}</strong>
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
