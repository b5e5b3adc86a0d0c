/**
 * An incident notification as an e-mail: a subject an operator can triage from the inbox list
 * and a plain-text body with every alert of the incident.
 *
 * @example
 * emailText(n).subject; // '[intelli-mesh lab] OPEN critical: n0 is offline (its broker connection ended)'
 */
import type { IncidentNotification } from './incident.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function emailText(n: IncidentNotification): { subject: string; text: string } {
  const i = n.incident;
  const what = n.type === 'incident-opened' ? `OPEN ${i.severity}` : 'RESOLVED';
  const flap = i.flapping ? ' (flapping)' : '';
  const lines = [
    `${n.type === 'incident-opened' ? 'Incident opened' : 'Incident resolved'} on site ${n.site}: ${i.title}`,
    '',
    `Incident: ${i.id}`,
    `Root cause: ${i.root}`,
    `Opened: ${iso(i.opened_at)}`,
    ...(i.resolved_at !== null ? [`Resolved: ${iso(i.resolved_at)}`] : []),
    ...(i.flapping
      ? [
          'Flapping: it opened and cleared repeatedly; it is reported resolved only after a long quiet period.',
        ]
      : []),
    '',
    `Alerts (${i.alerts.length}):`,
    ...i.alerts.map(
      (a) =>
        `- [${a.severity}] ${a.message} (${a.kind}, opened ${iso(a.opened_at)}${a.closed_at !== null ? `, closed ${iso(a.closed_at)}` : ', open'})`,
    ),
  ];
  return {
    subject: `[intelli-mesh ${n.site}] ${what}${flap}: ${i.title}`,
    text: `${lines.join('\n')}\n`,
  };
}
