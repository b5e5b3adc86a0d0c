/**
 * What changes in the controller when it runs in a cluster: what this process commits reaches
 * its own dashboards and, through the cluster, the other processes' (and theirs reach its
 * own); the duties that must happen once (upgrade campaigns reacting to results, alert
 * notifications) run only in the leader, which receives the other processes' upgrade results
 * and alert transitions with their live notices.
 *
 * @example
 * const duties = new ClusterDuties({ cluster, broadcast: (c) => live.broadcast(c), ... });
 * ingest.on('change', (changes) => duties.committed(changes));
 * ingest.on('alert', (t) => duties.alert(t));
 */
import type { AlertTransition, LiveChange } from '../ingest.ts';
import type { RemoteNotice } from './controller-cluster.ts';

export interface ClusterDutiesOptions {
  cluster: {
    readonly isLeader: boolean;
    publish(changes: readonly LiveChange[], alerts?: readonly AlertTransition[]): Promise<void>;
  };
  /** To this process's dashboards (upgrade results are for the services, not dashboards). */
  broadcast(changes: readonly LiveChange[]): void;
  /** Every process: pushes awaiting their results (the API request may wait in any process). */
  onChanges(changes: readonly LiveChange[]): void;
  /** The leader only: upgrade campaigns. */
  onLeaderChanges(changes: readonly LiveChange[]): void;
  /** The leader only: alert notifications. */
  notify?: ((t: AlertTransition) => void) | undefined;
}

export class ClusterDuties {
  constructor(private readonly o: ClusterDutiesOptions) {}

  /** Changes this process committed. */
  committed(changes: readonly LiveChange[]): void {
    if (changes.length === 0) return;
    this.deliver(changes);
    void this.o.cluster.publish(changes);
  }

  /** An alert transition this process committed: notified by the leader, wherever it is. */
  alert(t: AlertTransition): void {
    if (this.o.cluster.isLeader) this.o.notify?.(t);
    else void this.o.cluster.publish([], [t]);
  }

  /** What another process committed. */
  remote(notice: RemoteNotice): void {
    this.deliver(notice.changes);
    if (this.o.cluster.isLeader) for (const t of notice.alerts) this.o.notify?.(t);
  }

  private deliver(changes: readonly LiveChange[]): void {
    const shown = changes.filter((c) => c.type !== 'upgrade-result');
    if (shown.length > 0) this.o.broadcast(shown);
    this.o.onChanges(changes);
    if (this.o.cluster.isLeader) this.o.onLeaderChanges(changes);
  }
}
