/**
 * What changes in the controller when it runs in a cluster: what this process commits reaches
 * its own dashboards and, through the cluster, the other processes' (and theirs reach its
 * own). A push's confirmation is sent by the process that committed its result (once); upgrade
 * campaigns run in the process that started or resumed them, so every process's campaigns see
 * every process's changes; alert notifications are sent by the leader alone, which receives the
 * other processes' alert transitions with their live notices.
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
  /** What this process committed only: push confirmations (sent once, by the writer). */
  onLocalChanges(changes: readonly LiveChange[]): void;
  /** What any process committed: upgrade campaigns (running in whichever process drives them). */
  onAnyChanges(changes: readonly LiveChange[]): void;
  /** The leader only: alert notifications. */
  notify?: ((t: AlertTransition) => void) | undefined;
}

export class ClusterDuties {
  constructor(private readonly o: ClusterDutiesOptions) {}

  /** Changes this process's ingest committed. */
  committed(changes: readonly LiveChange[]): void {
    if (changes.length === 0) return;
    this.show(changes);
    this.o.onLocalChanges(changes);
    this.o.onAnyChanges(changes);
    void this.o.cluster.publish(changes);
  }

  /** Other changes this process made (controller events, campaigns, radio): shown everywhere. */
  shown(changes: readonly LiveChange[]): void {
    if (changes.length === 0) return;
    this.show(changes);
    void this.o.cluster.publish(changes);
  }

  /** An alert transition this process committed: notified by the leader, wherever it is. */
  alert(t: AlertTransition): void {
    if (this.o.cluster.isLeader) this.o.notify?.(t);
    else void this.o.cluster.publish([], [t]);
  }

  /** What another process committed. */
  remote(notice: RemoteNotice): void {
    this.show(notice.changes);
    if (notice.changes.length > 0) this.o.onAnyChanges(notice.changes);
    if (this.o.cluster.isLeader) for (const t of notice.alerts) this.o.notify?.(t);
  }

  private show(changes: readonly LiveChange[]): void {
    const shown = changes.filter((c) => c.type !== 'upgrade-result');
    if (shown.length > 0) this.o.broadcast(shown);
  }
}
