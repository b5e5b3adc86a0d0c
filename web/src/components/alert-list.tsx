/**
 * Alerts with their severity, age and acknowledgement; admins can acknowledge, viewers see the
 * button disabled with the reason.
 *
 * @example
 * <AlertList alerts={alerts} />
 */
import { useState } from 'react';
import type { Alert } from '../api/types.ts';
import { canOperate, useApp } from '../app-context.ts';
import { formatAge } from '../lib/format.ts';
import { severityHealth } from '../lib/status-colour.ts';

export function AlertList({ alerts, now }: { alerts: Alert[]; now: number }) {
  const { api, session } = useApp();
  const [error, setError] = useState<string | null>(null);
  const admin = canOperate(session);
  if (alerts.length === 0) return <p className="muted empty">No alerts. All clear.</p>;
  return (
    <>
      {error && <div className="error">{error}</div>}
      <ul className="alerts" data-testid="alert-list">
        {alerts.map((a) => (
          <li
            key={a.id}
            className={`alert ${severityHealth(a.severity)}${a.closed_at ? ' closed' : ''}`}
            data-kind={a.kind}
            data-node={a.node}
          >
            <span className={`pill ${severityHealth(a.severity)}`}>{a.severity}</span>
            <span className="alert-message">{a.message}</span>
            <span className="muted small">
              {formatAge(a.opened_at, now)}
              {a.closed_at ? ' · cleared' : ''}
            </span>
            {a.acked_by ? (
              <span className="muted small">ack by {a.acked_by}</span>
            ) : (
              <button
                className="small"
                disabled={!admin}
                title={
                  admin
                    ? 'Acknowledge this alert'
                    : 'Only operators and admins can acknowledge alerts'
                }
                onClick={() => {
                  setError(null);
                  api.post(`/api/alerts/${a.id}/ack`).catch((e: Error) => setError(e.message));
                }}
              >
                Acknowledge
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
