/**
 * Alerts grouped into incidents, one per root cause, and the notifications they call for, on an
 * injected clock (sans-IO: transitions and times in, notifications out; the Notifier owns the
 * timer and the sending).
 *
 * Root cause: an alert that names no related nodes (node offline, WAN down, gateway withdrawn,
 * rollback) belongs to the incident of its node, `node:<name>`. An alert that does (a degraded
 * link names both ends, a flapping client names the gateways it moved between) joins the
 * incident of one of those nodes when there is one, and otherwise starts its own; when a node's
 * incident starts later, the not yet announced incidents that name that node join it. So a dead
 * gateway is one incident, whatever its clients and links do meanwhile.
 *
 * Damping, three ways: (1) an incident is announced only `groupWaitMs` after it opened, and not
 * at all when it cleared by then; (2) "resolved" is sent only after all its alerts stayed closed
 * for `resolveHoldMs`, and an alert of the same root reopening meanwhile continues the incident
 * silently; (3) an incident announced `flapCount` times within `flapWindowMs` is sent marked
 * `flapping` and resolves only after a whole `flapWindowMs` clear.
 *
 * @example
 * const book = new IncidentBook(resolveNotifyPolicy(), 'lab');
 * book.onAlert({ op: 'opened', alert, related: [] }, now); // [] (waiting for the group)
 * book.tick(now + 10_000); // [{ type: 'incident-opened', incident: { root: 'node:n0', ... } }]
 */
import type { AlertTransition } from '../ingest.ts';
import type { Alert, Severity } from '../store/alert-repo.ts';
import { incidentAlert, type IncidentNotification, type IncidentView } from './incident.ts';
import type { NotifyPolicy } from './notify-policy.ts';

interface Incident {
  id: string;
  root: string;
  /** The node whose failure this incident is, when it is one. */
  rootNode: string | undefined;
  alerts: Map<string, Alert>;
  /** Nodes the alerts name as possible causes: a node incident starting later takes it over. */
  related: Set<string>;
  openedAt: number;
  announced: boolean;
  flapping: boolean;
  /** Since when every alert has been closed. */
  clearSince: number | undefined;
}

/** Alerts that record a one-off event: they never close, so they do not keep an incident open. */
const ONE_SHOT = /^config-rollback/;

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export class IncidentBook {
  private readonly incidents = new Map<string, Incident>();
  /** Alert key -> root of the incident holding it. */
  private readonly rootOf = new Map<string, string>();
  /** Root -> when it was announced, for flap detection (kept after the incident resolves). */
  private readonly announcedAt = new Map<string, number[]>();

  constructor(
    private readonly policy: NotifyPolicy,
    private readonly site: string,
  ) {}

  onAlert(t: AlertTransition, now: number): IncidentNotification[] {
    if (t.op === 'opened') this.opened(t.alert, t.related, now);
    else this.closed(t.alert, now);
    return this.tick(now);
  }

  /** The notifications due by `now`. */
  tick(now: number): IncidentNotification[] {
    const out: IncidentNotification[] = [];
    for (const inc of [...this.incidents.values()]) {
      if (!inc.announced) {
        if (now - inc.openedAt < this.policy.groupWaitMs) continue;
        if (inc.clearSince !== undefined && !this.hasOneShot(inc)) {
          this.remove(inc); // cleared before anyone was told: nothing to tell
          continue;
        }
        inc.announced = true;
        const times = (this.announcedAt.get(inc.root) ?? []).filter(
          (t) => t > now - this.policy.flapWindowMs,
        );
        times.push(now);
        this.announcedAt.set(inc.root, times);
        inc.flapping = times.length >= this.policy.flapCount;
        out.push(this.notification('incident-opened', inc, now));
      } else if (inc.clearSince !== undefined && now - inc.clearSince >= this.holdOf(inc)) {
        out.push(this.notification('incident-resolved', inc, now));
        this.remove(inc);
      }
    }
    return out;
  }

  /** When `tick` next has something to decide, if ever. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const inc of this.incidents.values()) {
      const at = !inc.announced
        ? inc.openedAt + this.policy.groupWaitMs
        : inc.clearSince !== undefined
          ? inc.clearSince + this.holdOf(inc)
          : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Incidents not yet resolved (for tests and the log). */
  open(): IncidentView[] {
    return [...this.incidents.values()].map((inc) => this.view(inc, null));
  }

  private opened(alert: Alert, related: readonly string[], now: number): void {
    const root =
      related.length === 0
        ? `node:${alert.node}`
        : (related.map((r) => `node:${r}`).find((r) => this.incidents.has(r)) ?? alert.key);
    let inc = this.incidents.get(root);
    if (!inc) {
      const rootNode = root.startsWith('node:') ? root.slice(5) : undefined;
      inc = {
        id: `${root}@${now}`,
        root,
        rootNode,
        alerts: new Map(),
        related: new Set(),
        openedAt: now,
        announced: false,
        flapping: false,
        clearSince: undefined,
      };
      this.incidents.set(root, inc);
      if (rootNode !== undefined) this.absorb(inc, rootNode);
    }
    inc.alerts.set(alert.key, alert);
    for (const r of related) inc.related.add(r);
    this.rootOf.set(alert.key, root);
    if (!ONE_SHOT.test(alert.kind)) inc.clearSince = undefined;
    if (this.allClosed(inc)) inc.clearSince ??= now;
  }

  private closed(alert: Alert, now: number): void {
    const root = this.rootOf.get(alert.key);
    const inc = root !== undefined ? this.incidents.get(root) : undefined;
    if (!inc) return;
    inc.alerts.set(alert.key, alert);
    if (this.allClosed(inc)) inc.clearSince ??= now;
  }

  /** A node's incident takes over the unannounced incidents that name the node as a cause. */
  private absorb(into: Incident, node: string): void {
    for (const other of [...this.incidents.values()]) {
      if (other === into || other.announced || !other.related.has(node)) continue;
      for (const [key, a] of other.alerts) {
        into.alerts.set(key, a);
        this.rootOf.set(key, into.root);
      }
      for (const r of other.related) into.related.add(r);
      into.openedAt = Math.min(into.openedAt, other.openedAt);
      this.incidents.delete(other.root);
    }
  }

  private allClosed(inc: Incident): boolean {
    for (const a of inc.alerts.values())
      if (a.closed_at === null && !ONE_SHOT.test(a.kind)) return false;
    return true;
  }

  private hasOneShot(inc: Incident): boolean {
    for (const a of inc.alerts.values()) if (ONE_SHOT.test(a.kind)) return true;
    return false;
  }

  private holdOf(inc: Incident): number {
    return inc.flapping ? this.policy.flapWindowMs : this.policy.resolveHoldMs;
  }

  private remove(inc: Incident): void {
    this.incidents.delete(inc.root);
    for (const key of inc.alerts.keys())
      if (this.rootOf.get(key) === inc.root) this.rootOf.delete(key);
  }

  private notification(
    type: IncidentNotification['type'],
    inc: Incident,
    now: number,
  ): IncidentNotification {
    return {
      type,
      site: this.site,
      at: now,
      incident: this.view(inc, type === 'incident-resolved' ? now : null),
    };
  }

  private view(inc: Incident, resolvedAt: number | null): IncidentView {
    const alerts = [...inc.alerts.values()].sort(
      (a, b) => a.opened_at - b.opened_at || a.id - b.id,
    );
    const rootAlert =
      alerts.find((a) => a.node === inc.rootNode && a.kind === 'node-offline') ??
      alerts.find((a) => a.node === inc.rootNode && !ONE_SHOT.test(a.kind)) ??
      alerts[0];
    let severity: Severity = 'info';
    for (const a of alerts) if (RANK[a.severity] > RANK[severity]) severity = a.severity;
    return {
      id: inc.id,
      root: inc.root,
      title: rootAlert?.message ?? inc.root,
      severity,
      opened_at: inc.openedAt,
      resolved_at: resolvedAt,
      flapping: inc.flapping,
      alerts: alerts.map(incidentAlert),
    };
  }
}
