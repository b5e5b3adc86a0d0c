/**
 * The controller's check of a configuration before it is pushed: the very validator the node
 * runs before it applies one, so the controller refuses (422) exactly what the node would, with
 * every issue and its path. Which validator depends on the node's kind of configuration, told by
 * what the node last reported:
 *
 * - an agent's config file without `mqtt` (`node`, `lanDevices`, `wans`, `policy`, …): checked
 *   by `pushedAgentConfigIssues`, as `intelli-mesh agent` checks it;
 * - a demo node's runtime config (`policy`, `trackers`, `holdDownMs`, `gwSelClass`): checked by
 *   `runtimeConfigIssues` against the WANs the node reports, as the simulated node checks it.
 *
 * A node that reported no configuration yet is judged by the shape of the pushed one.
 *
 * @example
 * const validate = nodeConfigValidator(store);
 * validate('node-1', { node: 'node-2', wans: 'nope' }); // [{ path: 'node', … }, { path: 'wans', … }, …]
 */
import { pushedAgentConfigIssues } from '../agent/agent-config-file.ts';
import type { ValidationIssue } from '../core/validation-issues.ts';
import { runtimeConfigIssues } from '../demo/node-runtime-config.ts';
import type { PushValidator } from './config-push-service.ts';
import type { ControllerStore } from './store/controller-store.ts';

export type NodeConfigKind = 'agent' | 'runtime';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The kind of configuration a node runs, from its report (or the pushed document). */
export function nodeConfigKind(reported: unknown, pushed: unknown): NodeConfigKind {
  const sample = isRecord(reported) ? reported : pushed;
  return isRecord(sample) && 'trackers' in sample && !('node' in sample) ? 'runtime' : 'agent';
}

/** The WANs a runtime-config node has: from its state report, else from its running trackers. */
async function wanNamesOf(
  store: ControllerStore,
  node: string,
  reported: unknown,
): Promise<string[]> {
  const wans = (await store.nodes.get(node))?.state?.wans;
  if (wans && wans.length > 0) return wans.filter((w) => w.kind !== 'mesh').map((w) => w.name);
  return isRecord(reported) && isRecord(reported.trackers) ? Object.keys(reported.trackers) : [];
}

export async function pushedConfigIssues(
  store: ControllerStore,
  node: string,
  config: unknown,
): Promise<ValidationIssue[]> {
  const reported = (await store.nodes.config(node))?.config;
  return nodeConfigKind(reported, config) === 'runtime'
    ? runtimeConfigIssues(config, await wanNamesOf(store, node, reported))
    : pushedAgentConfigIssues(config, node);
}

export function nodeConfigValidator(store: ControllerStore): PushValidator {
  return (node, config) => pushedConfigIssues(store, node, config);
}
