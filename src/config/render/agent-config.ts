/**
 * The agent's own configuration (`/etc/intelli-mesh/agent.json`): who the node is, where to
 * report, how often to probe, and the WANs with the thresholds it shares with mwan3, so the
 * agent and mwan3 judge an uplink the same way.
 *
 * @example
 * JSON.stringify(renderAgentConfig(nodeContext(site, 'gw1')), null, 2);
 */
import { agentOf, trackOf, type AgentSettings, type Track } from '../site-schema.ts';
import type { NodeContext } from './node-context.ts';

export interface AgentConfig extends AgentSettings {
  site: string;
  node: string;
  role: 'gateway' | 'mesh';
  address: number;
  meshInterface: 'bat0';
  wans: { name: string; kind: 'ethernet' | 'modem'; track: Track }[];
}

export function renderAgentConfig(ctx: NodeContext): AgentConfig {
  const { site, node } = ctx;
  return {
    site: site.name,
    node: node.id,
    role: node.role,
    address: node.address,
    meshInterface: 'bat0',
    ...agentOf(site, node),
    wans: node.wans.map((w) => ({ name: w.name, kind: w.type, track: trackOf(site, w) })),
  };
}
