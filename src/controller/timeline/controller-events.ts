/**
 * The facts the controller itself observes, as timeline events beside the agents' decisions:
 * a node going offline or coming back, a node that rebooted, an alert opened, acknowledged or
 * closed, a configuration push requested and each answer of the node. Each kind is
 * `<subject>-<what happened>`, so a filter on `push-*` or `node-*` takes a whole family and
 * a new family (`user-*` for account changes) needs only a new builder here.
 *
 * @example
 * nodeDownEvent('n5', 1_000, 'its broker connection ended');
 * // { at: 1000, node: 'n5', kind: 'node-down', subject: 'n5', from: 'online', to: 'offline', ... }
 */
import type { MeshEvent } from '../../core/events.ts';
import type { Alert, ConfigPush } from '../store/records.ts';

export type ControllerEventKind =
  | 'node-up'
  | 'node-down'
  | 'node-reboot'
  | 'alert-open'
  | 'alert-ack'
  | 'alert-close'
  | `push-${string}`
  /** Facts about the controller itself (`user-created`, `user-deleted`, ...), on node `controller`. */
  | `user-${string}`;

export interface ControllerEvent extends MeshEvent {
  kind: ControllerEventKind;
}

export function nodeDownEvent(node: string, at: number, why: string): ControllerEvent {
  return {
    at,
    node,
    kind: 'node-down',
    subject: node,
    from: 'online',
    to: 'offline',
    reason: why,
  };
}

export function nodeUpEvent(node: string, at: number, why: string): ControllerEvent {
  return { at, node, kind: 'node-up', subject: node, from: 'offline', to: 'online', reason: why };
}

export function nodeRebootEvent(
  node: string,
  at: number,
  from: string | null,
  to: string | null,
  why: string,
): ControllerEvent {
  return { at, node, kind: 'node-reboot', subject: node, from, to, reason: why };
}

export type AlertChange = 'open' | 'ack' | 'close';

export function alertEvent(change: AlertChange, alert: Alert, at: number): ControllerEvent {
  const what = `${alert.severity} alert ${alert.kind} (#${alert.id})`;
  const reason =
    change === 'open'
      ? `${what} opened: ${alert.message}`
      : change === 'ack'
        ? `${what} acknowledged by ${alert.acked_by ?? 'an operator'}: ${alert.message}`
        : `${what} closed: the condition cleared (${alert.message})`;
  return {
    at,
    node: alert.node,
    kind: `alert-${change}`,
    subject: alert.key,
    from: change === 'open' ? null : change === 'ack' ? 'unacknowledged' : 'open',
    to: change === 'open' ? 'open' : change === 'ack' ? 'acknowledged' : 'closed',
    reason,
  };
}

/**
 * A push changed status: `requested` when the controller sends it, then the node's answers
 * (`accepted`, `applied`, `confirmed`, `rejected`, `rolled-back`, `failed`) or `timed-out`.
 */
export function pushEvent(push: ConfigPush, from: string | null, at: number): ControllerEvent {
  const reason =
    push.status === 'requested'
      ? `version ${push.version} requested by ${push.requested_by}`
      : `version ${push.version}: ${push.reason || push.status}`;
  return {
    at,
    node: push.node,
    kind: `push-${push.status}`,
    subject: push.id,
    from,
    to: push.status,
    reason,
  };
}

/** The node name of events about the controller itself (upgrade campaigns, user accounts). */
export const CONTROLLER_NODE = 'controller';

/**
 * A user account changed (`user-created`, `user-role-changed`, `user-deleted`, ...): recorded
 * with `store.events.record(userEvent(...))` and shown on the timeline under `controller`.
 */
export function userEvent(
  change: string,
  username: string,
  by: string,
  at: number,
  from: string | null = null,
  to: string | null = null,
): ControllerEvent {
  return {
    at,
    node: CONTROLLER_NODE,
    kind: `user-${change}`,
    subject: username,
    from,
    to,
    reason: `user ${username} ${change.replace(/-/g, ' ')} by ${by}`,
  };
}
