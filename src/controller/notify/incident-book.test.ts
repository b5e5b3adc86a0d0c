import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../ingest.ts';
import type { Alert } from '../store/alert-repo.ts';
import { IncidentBook } from './incident-book.ts';
import { resolveNotifyPolicy } from './notify-policy.ts';

let id = 0;
function alert(key: string, at: number, over: Partial<Alert> = {}): Alert {
  const [kind, node] = key.split(':') as [string, string];
  return {
    id: ++id,
    key,
    node: node.split('|')[0]!,
    kind,
    subject: node,
    severity: kind === 'node-offline' ? 'critical' : 'warning',
    message: `${key} happened`,
    opened_at: at,
    closed_at: null,
    acked_by: null,
    acked_at: null,
    ...over,
  };
}
const open = (a: Alert, related: string[] = []): AlertTransition => ({
  op: 'opened',
  alert: a,
  related,
});
const close = (a: Alert, at: number): AlertTransition => ({
  op: 'closed',
  alert: { ...a, closed_at: at },
  related: [],
});

const policy = resolveNotifyPolicy({
  groupWaitMs: 10_000,
  resolveHoldMs: 60_000,
  flapCount: 3,
  flapWindowMs: 600_000,
});

describe('IncidentBook', () => {
  it('makes a dead gateway one incident: its clients and links join it, one opened, one resolved', () => {
    const book = new IncidentBook(policy, 'lab');
    // A link to the gateway degrades before the controller learns it is offline.
    const link = alert('link-degraded:n0|n1', 0);
    expect(book.onAlert(open(link, ['n0', 'n1']), 0)).toEqual([]);
    const down = alert('node-offline:n0', 2_000);
    expect(book.onAlert(open(down), 2_000)).toEqual([]);
    const flap = alert('gateway-flapping:n7', 5_000);
    expect(book.onAlert(open(flap, ['n0', 'n5']), 5_000)).toEqual([]);
    const out = book.tick(10_000);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      type: 'incident-opened',
      site: 'lab',
      incident: { root: 'node:n0', severity: 'critical', title: 'node-offline:n0 happened' },
    });
    expect(out[0]!.incident.alerts.map((a) => a.key)).toEqual([
      'link-degraded:n0|n1',
      'node-offline:n0',
      'gateway-flapping:n7',
    ]);
    book.onAlert(close(link, 20_000), 20_000);
    book.onAlert(close(flap, 25_000), 25_000);
    expect(book.onAlert(close(down, 30_000), 30_000)).toEqual([]);
    expect(book.nextDeadline()).toBe(90_000);
    expect(book.tick(89_999)).toEqual([]);
    const resolved = book.tick(90_000);
    expect(resolved.map((n) => [n.type, n.incident.id, n.incident.resolved_at])).toEqual([
      ['incident-resolved', out[0]!.incident.id, 90_000],
    ]);
    expect(book.open()).toEqual([]);
  });

  it('never sends an incident that cleared within the group wait', () => {
    const book = new IncidentBook(policy, 'lab');
    const a = alert('wan-down:n3:wan', 0);
    book.onAlert(open(a), 0);
    book.onAlert(close(a, 4_000), 4_000);
    expect(book.tick(10_000)).toEqual([]);
    expect(book.nextDeadline()).toBeUndefined();
  });

  it('continues an incident silently when it reopens within the resolve hold', () => {
    const book = new IncidentBook(policy, 'lab');
    const sent: string[] = [];
    let t = 0;
    for (let i = 0; i < 5; i++) {
      const a = alert('wan-down:n3:wan', t);
      sent.push(...book.onAlert(open(a), t).map((n) => n.type));
      sent.push(...book.tick(t + 15_000).map((n) => n.type));
      sent.push(...book.onAlert(close(a, t + 20_000), t + 20_000).map((n) => n.type));
      t += 50_000; // reopens 30 s after clearing: within the 60 s hold
    }
    sent.push(...book.tick(t + 100_000).map((n) => n.type));
    expect(sent).toEqual(['incident-opened', 'incident-resolved']);
  });

  it('marks a root announced flapCount times within the window as flapping and holds it for the window', () => {
    const book = new IncidentBook(policy, 'lab');
    const sent: [string, boolean][] = [];
    let t = 0;
    for (let i = 0; i < 3; i++) {
      const a = alert('wan-down:n3:wan', t);
      book.onAlert(open(a), t);
      sent.push(
        ...book.tick(t + 10_000).map((n): [string, boolean] => [n.type, n.incident.flapping]),
      );
      book.onAlert(close(a, t + 20_000), t + 20_000);
      sent.push(
        ...book.tick(t + 80_000).map((n): [string, boolean] => [n.type, n.incident.flapping]),
      );
      t += 100_000;
    }
    // The third opening says "flapping"; it is not resolved after 60 s but only after 600 s.
    expect(sent).toEqual([
      ['incident-opened', false],
      ['incident-resolved', false],
      ['incident-opened', false],
      ['incident-resolved', false],
      ['incident-opened', true],
    ]);
    expect(book.nextDeadline()).toBe(220_000 + 600_000);
  });

  it('keeps unrelated problems apart', () => {
    const book = new IncidentBook(policy, 'lab');
    book.onAlert(open(alert('node-offline:n0', 0)), 0);
    book.onAlert(open(alert('link-degraded:n3|n4', 0), ['n3', 'n4']), 0);
    expect(book.tick(10_000).map((n) => n.incident.root)).toEqual([
      'node:n0',
      'link-degraded:n3|n4',
    ]);
  });
});
