/**
 * What the notifier sends: an incident (one root cause and the alerts it explains) that was
 * opened or resolved. The same JSON goes to webhooks; e-mails are rendered from it.
 *
 * @example
 * const n: IncidentNotification = { type: 'incident-opened', site: 'lab', at: 1, incident: { ... } };
 */
import type { Alert, Severity } from '../store/alert-repo.ts';

export interface IncidentAlert {
  key: string;
  kind: string;
  node: string;
  subject: string;
  severity: Severity;
  message: string;
  opened_at: number;
  closed_at: number | null;
}

export interface IncidentView {
  /** Stable for the incident's life: its root and when it opened. */
  id: string;
  /** `node:<name>` when a node's own failure is the cause; else the key of the alert itself. */
  root: string;
  /** The root alert's message (or the first alert's, when no alert of the root is known). */
  title: string;
  /** The worst severity among its alerts. */
  severity: Severity;
  opened_at: number;
  resolved_at: number | null;
  /** It opened and cleared repeatedly: from now on it resolves only after a long quiet period. */
  flapping: boolean;
  /** Every alert it grouped, open and closed, oldest first. */
  alerts: IncidentAlert[];
}

export interface IncidentNotification {
  type: 'incident-opened' | 'incident-resolved';
  site: string;
  /** When it was decided (controller clock, epoch ms). */
  at: number;
  incident: IncidentView;
}

export function incidentAlert(a: Alert): IncidentAlert {
  return {
    key: a.key,
    kind: a.kind,
    node: a.node,
    subject: a.subject,
    severity: a.severity,
    message: a.message,
    opened_at: a.opened_at,
    closed_at: a.closed_at,
  };
}
