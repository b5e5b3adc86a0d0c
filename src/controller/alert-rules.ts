/**
 * Which incoming messages open or close alerts: a node that went offline, a WAN that is down or
 * degraded, a gateway that stopped announcing, a configuration that had to be rolled back.
 * Pure: a message in, alert operations out.
 *
 * @example
 * alertOps({ channel: 'status', message: { node: 'n1', online: false, at: 5 } });
 * // [{ op: 'open', alert: { key: 'node-offline:n1', severity: 'critical', ... } }]
 */
import type { NodeEventMessage, NodeState, NodeStatus } from '../mqtt/messages.ts';
import type { AlertOpen } from './store/alert-repo.ts';

export type AlertOp = { op: 'open'; alert: AlertOpen } | { op: 'close'; key: string };

export type IngestedMessage =
  | { channel: 'status'; message: NodeStatus }
  | { channel: 'state'; message: NodeState }
  | { channel: 'events'; message: NodeEventMessage };

export function alertOps(input: IngestedMessage): AlertOp[] {
  switch (input.channel) {
    case 'status':
      return statusOps(input.message);
    case 'state':
      return stateOps(input.message);
    case 'events':
      return eventOps(input.message);
  }
}

function statusOps(s: NodeStatus): AlertOp[] {
  const key = `node-offline:${s.node}`;
  return s.online
    ? [{ op: 'close', key }]
    : [
        {
          op: 'open',
          alert: {
            key,
            node: s.node,
            kind: 'node-offline',
            subject: s.node,
            severity: 'critical',
            message: `${s.node} is offline (its broker connection ended)`,
          },
        },
      ];
}

function stateOps(state: NodeState): AlertOp[] {
  const ops: AlertOp[] = [{ op: 'close', key: `node-offline:${state.node}` }];
  for (const wan of state.wans) {
    if (wan.kind === 'mesh') continue;
    const down = `wan-down:${state.node}:${wan.name}`;
    const degraded = `wan-degraded:${state.node}:${wan.name}`;
    const base = { node: state.node, subject: wan.name };
    if (wan.state === 'down') {
      ops.push({
        op: 'open',
        alert: {
          ...base,
          key: down,
          kind: 'wan-down',
          severity: 'warning',
          message: `WAN ${wan.name} on ${state.node} is down`,
        },
      });
      ops.push({ op: 'close', key: degraded });
    } else if (wan.state === 'degraded' && wan.status === 'connecting') {
      // Recovering after an outage: its checks pass again but it is not trusted yet. The outage
      // is not over (wan-down stays open) and nothing about it is degraded.
      ops.push({ op: 'close', key: degraded });
    } else if (wan.state === 'degraded') {
      // The figures of the checks that failed, as the node measured them.
      const detail = [
        wan.loss != null ? `${Math.round(wan.loss * 100)}% loss` : undefined,
        wan.latency_ms != null
          ? `${Math.round(wan.latency_ms)} ms`
          : wan.loss != null
            ? 'no reply'
            : undefined,
      ]
        .filter(Boolean)
        .join(', ');
      ops.push({ op: 'close', key: down });
      ops.push({
        op: 'open',
        alert: {
          ...base,
          key: degraded,
          kind: 'wan-degraded',
          severity: 'info',
          message: `WAN ${wan.name} on ${state.node} is degraded${detail ? ` (${detail})` : ''}`,
        },
      });
    } else if (wan.state === 'up') {
      ops.push({ op: 'close', key: down }, { op: 'close', key: degraded });
    }
  }
  const withdrawn = `gateway-withdrawn:${state.node}`;
  if (state.role === 'gateway' && !state.gateway.announcing) {
    ops.push({
      op: 'open',
      alert: {
        key: withdrawn,
        node: state.node,
        kind: 'gateway-withdrawn',
        subject: state.node,
        severity: 'warning',
        message: `${state.node} stopped announcing itself as a gateway`,
      },
    });
  } else {
    ops.push({ op: 'close', key: withdrawn });
  }
  return ops;
}

function eventOps(e: NodeEventMessage): AlertOp[] {
  if (e.kind !== 'config-rollback' && e.kind !== 'config-rollback-failed') return [];
  const failed = e.kind === 'config-rollback-failed';
  return [
    {
      op: 'open',
      alert: {
        key: `${e.kind}:${e.node}:${e.subject}:${e.at}`,
        node: e.node,
        kind: e.kind,
        subject: e.subject,
        severity: failed ? 'critical' : 'warning',
        message: `${e.node}: ${failed ? 'rollback failed' : 'configuration rolled back'} (${e.reason})`,
      },
    },
  ];
}
