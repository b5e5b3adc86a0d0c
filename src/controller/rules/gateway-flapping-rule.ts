/**
 * The gateway-flapping alert: a node whose selected gateway changed more than `maxChanges` times
 * within `windowMs` opens `gateway-flapping:<node>`; it closes after `quietMs` without a change.
 * One switch because a gateway died is healing, not flapping. Changes are counted from the
 * node's `gateway-select` events, which carry every switch (state reports, every few seconds,
 * would miss a quick back and forth). Pure: events and times in, alert operations out.
 *
 * @example
 * const rule = new GatewayFlappingRule({ maxChanges: 3, windowMs: 300_000, quietMs: 300_000 });
 * rule.onEvent({ kind: 'gateway-select', node: 'n7', from: 'n0', to: 'n5', ... }, 1000); // []
 */
import type { NodeEventMessage } from '../../mqtt/messages.ts';
import type { FlapRuleOptions } from './alert-rule-options.ts';
import type { RuleOp } from './rule-op.ts';

export const GATEWAY_FLAPPING = 'gateway-flapping';

interface NodeFlaps {
  /** When the selected gateway changed, oldest first, within the window. */
  changes: number[];
  /** The gateways it moved between in that window. */
  gateways: Set<string>;
  open: boolean;
  /** The quiet period runs from here (the last change, or a restart of the controller). */
  quietFrom: number | undefined;
  /** The last gateway it used; a release (no gateway) in between is not a switch of its own. */
  last: string | undefined;
}

export class GatewayFlappingRule {
  private readonly nodes = new Map<string, NodeFlaps>();

  constructor(
    private readonly o: FlapRuleOptions,
    openKeys: Iterable<string> = [],
  ) {
    for (const key of openKeys) {
      if (!key.startsWith(`${GATEWAY_FLAPPING}:`)) continue;
      // Reopened by a restarted controller: closes after a quiet period from now on.
      this.nodes.set(key.slice(GATEWAY_FLAPPING.length + 1), {
        changes: [],
        gateways: new Set(),
        open: true,
        quietFrom: undefined,
        last: undefined,
      });
    }
  }

  onEvent(e: NodeEventMessage, at: number): RuleOp[] {
    if (e.kind !== 'gateway-select' || e.from === e.to || e.to === null) return [];
    const n: NodeFlaps = this.nodes.get(e.node) ?? {
      changes: [],
      gateways: new Set<string>(),
      open: false,
      quietFrom: undefined,
      last: undefined,
    };
    this.nodes.set(e.node, n);
    // Only a move from one gateway to another counts: the first choice after a boot, and a return
    // to the gateway used before a gap with none (its death, a reboot), are not flapping.
    const previous = n.last ?? e.from ?? undefined;
    n.last = e.to;
    if (previous === undefined || previous === e.to) return [];
    n.changes.push(at);
    n.quietFrom = at;
    while (n.changes.length > 0 && n.changes[0]! <= at - this.o.windowMs) n.changes.shift();
    if (n.changes.length === 1) n.gateways.clear();
    for (const g of [e.from, e.to]) if (g) n.gateways.add(g);
    if (n.open || n.changes.length <= this.o.maxChanges) return [];
    n.open = true;
    const minutes = Math.round(this.o.windowMs / 6_000) / 10;
    const gateways = [...n.gateways].sort();
    return [
      {
        op: 'open',
        alert: {
          key: `${GATEWAY_FLAPPING}:${e.node}`,
          node: e.node,
          kind: GATEWAY_FLAPPING,
          subject: e.node,
          severity: 'warning',
          message: `${e.node} changed its gateway ${n.changes.length} times in ${minutes} min (between ${gateways.join(', ')})`,
        },
        related: gateways,
      },
    ];
  }

  /** Any sign of life of a node: closes its alert once it has been quiet long enough. */
  onTick(node: string, at: number): RuleOp[] {
    const n = this.nodes.get(node);
    if (!n?.open) return [];
    // Restored from the store: the quiet period starts now.
    n.quietFrom ??= at;
    if (at - n.quietFrom < this.o.quietMs) return [];
    this.nodes.delete(node);
    return [{ op: 'close', key: `${GATEWAY_FLAPPING}:${node}` }];
  }
}
