/**
 * When a radio node counts as unreachable, and when that becomes an alert: pure rules over the
 * merged node views and the clock. A node silent (no gateway heard it) for longer than
 * `unreachableAfterMs` turns unreachable (an event on the timeline); silent for a further
 * `alertAfterMs` it raises the `radio-node-unreachable` alert, like a mesh router's node-down.
 * Heard again, it is reachable (an event) and the alert closes.
 *
 * @example
 * livenessOps([{ ...view, status: 'reachable', last_heard_ms: 0 }], 40_000, { unreachableAfterMs: 30_000, alertAfterMs: 60_000 }, new Set());
 * // [{ op: 'unreachable', network, address, silentMs: 40000 }]
 */
import type { RadioNodeView } from './radio-records.ts';

export interface RadioLivenessOptions {
  /** Silence after which a radio node is unreachable. @default 30000 */
  unreachableAfterMs: number;
  /** Further silence after which the alert opens. @default 60000 */
  alertAfterMs: number;
}

export const DEFAULT_RADIO_LIVENESS: RadioLivenessOptions = {
  unreachableAfterMs: 30_000,
  alertAfterMs: 60_000,
};

export type LivenessOp =
  | {
      op: 'unreachable' | 'reachable' | 'alert-open';
      network: string;
      address: number;
      silentMs: number;
    }
  | { op: 'alert-close'; network: string; address: number };

export function radioAlertKey(network: string, address: number): string {
  return `radio-node-unreachable:${network}:${address}`;
}

/** The timeline's and alerts' `node` of a radio node (a `:` no MQTT node name can hold). */
export function radioSubject(network: string, address: number): string {
  return `radio:${network}/${address}`;
}

/**
 * `since` is when the node was first learned of, for one never heard itself (only seen in a
 * scan): its silence counts from then.
 */
export function livenessOps(
  nodes: readonly (RadioNodeView & { first_seen: number })[],
  now: number,
  o: RadioLivenessOptions,
  openAlerts: ReadonlySet<string>,
): LivenessOp[] {
  const ops: LivenessOp[] = [];
  for (const n of nodes) {
    const { network, address } = n;
    const silentMs = Math.max(0, now - (n.last_heard_ms ?? n.first_seen));
    const alertOpen = openAlerts.has(radioAlertKey(network, address));
    if (silentMs > o.unreachableAfterMs) {
      if (n.status === 'reachable') ops.push({ op: 'unreachable', network, address, silentMs });
      if (silentMs > o.unreachableAfterMs + o.alertAfterMs && !alertOpen)
        ops.push({ op: 'alert-open', network, address, silentMs });
    } else {
      if (n.status === 'unreachable') ops.push({ op: 'reachable', network, address, silentMs });
      if (alertOpen) ops.push({ op: 'alert-close', network, address });
    }
  }
  return ops;
}
