/**
 * Puts a node's presence on the timeline as the controller sees it: offline (its broker session
 * ended: last will or goodbye), online again, and rebooted (a new boot id in its online
 * announcement, or, from a node that sends none, an uptime that went back). Runs inside the
 * ingest's transaction, before the message itself is recorded, so it compares with what the
 * store knew until then.
 *
 * @example
 * const timeline = new NodeTimeline(store);
 * timeline.onStatus({ node: 'n5', online: false, at: 1 }, now); // records node-down if it was online
 */
import type { NodeState, NodeStatus } from '../../mqtt/messages.ts';
import type { MeshEvent } from '../../core/events.ts';
import type { BootAccess } from '../store/batched-boots.ts';
import type { NodeBoot } from '../store/boot-repo.ts';
import type { SyncSql } from '../store/sql-session.ts';
import type { StoreScope } from '../store/store-scope.ts';
import { nodeDownEvent, nodeRebootEvent, nodeUpEvent } from './controller-events.ts';

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

export class NodeTimeline {
  constructor(
    private readonly store: StoreScope,
    /** Where boot rows are read and written: the store's, or a batch's buffer (BatchedBoots). */
    private readonly boots: BootAccess = store.boots,
  ) {}

  async onStatus(status: NodeStatus, at: number): Promise<void> {
    const { nodes, events } = this.store;
    const { boots } = this;
    const before = await nodes.get(status.node);
    if (status.online) {
      if (!before) {
        await events.record(nodeUpEvent(status.node, at, 'first report from this node'));
      } else if (!before.online) {
        await events.record(
          nodeUpEvent(
            status.node,
            at,
            `broker session back after ${seconds(at - before.last_seen)} offline`,
          ),
        );
      }
      if (status.boot_id === undefined) return;
      const known = (await boots.get(status.node))?.boot_id ?? null;
      if (known !== null && known !== status.boot_id) {
        await events.record(
          nodeRebootEvent(
            status.node,
            at,
            known,
            status.boot_id,
            `boot id changed from ${known} to ${status.boot_id}: the node restarted`,
          ),
        );
      }
      await boots.setBootId(status.node, status.boot_id, at);
    } else if (before?.online) {
      await events.record(
        nodeDownEvent(
          status.node,
          at,
          `broker session ended (last will or goodbye); last heard ${seconds(at - before.last_seen)} before`,
        ),
      );
    }
  }

  async onState(state: NodeState, at: number): Promise<void> {
    const { events } = this.store;
    const { boots } = this;
    const reboot = uptimeReboot(await boots.get(state.node), state, at);
    if (reboot) await events.record(reboot);
    await boots.setUptime(state.node, state.uptime_s, at);
  }

  /** `onState` through a SQLite transaction's synchronous statements (`SqlSession.sync`). */
  onStateNow(sync: SyncSql, state: NodeState, at: number): void {
    const { boots, events } = this.store;
    const reboot = uptimeReboot(boots.getNow(sync, state.node), state, at);
    if (reboot) events.recordNow(sync, reboot);
    boots.setUptimeNow(sync, state.node, state.uptime_s, at);
  }
}

/** The reboot a state's uptime shows, compared with the node's last known boot. */
function uptimeReboot(
  known: NodeBoot | undefined,
  state: NodeState,
  at: number,
): MeshEvent | undefined {
  // A node that announces boot ids is judged by them: its uptime may be its agent's.
  if (!known || known.boot_id !== null || known.uptime_s === null) return undefined;
  if (state.uptime_s >= known.uptime_s) return undefined;
  return nodeRebootEvent(
    state.node,
    at,
    `uptime ${Math.round(known.uptime_s)} s`,
    `uptime ${Math.round(state.uptime_s)} s`,
    `uptime went back from ${Math.round(known.uptime_s)} s to ${Math.round(state.uptime_s)} s: the node restarted`,
  );
}
