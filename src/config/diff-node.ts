/**
 * What applying the rendered configuration to a node would change, given the node's current
 * files (a copy of its `/etc/config`, or an overlay root holding `etc/config`). Missing current
 * files count as empty, so a fresh node shows every section as added.
 *
 * @example
 * const d = await diffNodeDir(site, 'gw1', 'backup/gw1');
 * d.changes.map(formatUciChange);
 */
import { readFile, stat } from 'node:fs/promises';
import { CurrentFileError } from './errors.ts';
import { join } from 'node:path';
import {
  agentConfigPath,
  configNames,
  renderNode,
  type RenderedNode,
} from './render/render-node.ts';
import type { Site } from './site-schema.ts';
import { diffUci, type UciChange } from './uci/diff-uci.ts';
import { parseUci } from './uci/parse-uci.ts';

export interface JsonChange {
  key: string;
  from?: unknown;
  to?: unknown;
}

export interface NodeDiff {
  changes: UciChange[];
  agent: JsonChange[];
}

/** Current file contents by config name ('network', ...) plus 'agent.json'. */
export type CurrentFiles = Partial<Record<string, string>>;

export function diffRendered(rendered: RenderedNode, current: CurrentFiles): NodeDiff {
  const changes: UciChange[] = [];
  for (const name of configNames) {
    const text = current[name];
    const before = text === undefined ? undefined : parseUci(text, { source: name });
    changes.push(...diffUci(name, before, rendered.configs[name]));
  }
  const agentText = current['agent.json'];
  let before: unknown = {};
  try {
    if (agentText !== undefined) before = JSON.parse(agentText);
  } catch (err) {
    throw new CurrentFileError(`agent.json: ${(err as Error).message}`, { cause: err });
  }
  return { changes, agent: diffJson(flatten(before), flatten(rendered.agent)) };
}

export async function diffNodeDir(site: Site, nodeId: string, dir: string): Promise<NodeDiff> {
  const rendered = renderNode(site, nodeId);
  // A copy of /etc/config, an overlay root, or a folder written by `config render`.
  let root = dir;
  if (await isDir(join(dir, 'files', 'etc', 'config'))) root = join(dir, 'files');
  const configDir = (await isDir(join(root, 'etc', 'config'))) ? join(root, 'etc', 'config') : root;
  const current: CurrentFiles = {};
  for (const name of configNames) current[name] = await readIfPresent(join(configDir, name));
  current['agent.json'] =
    (await readIfPresent(join(root, agentConfigPath))) ??
    (await readIfPresent(join(root, 'agent.json')));
  return diffRendered(rendered, current);
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function flatten(
  value: unknown,
  prefix = '',
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      flatten(
        v,
        prefix === '' ? k : Array.isArray(value) ? `${prefix}[${k}]` : `${prefix}.${k}`,
        out,
      );
    }
  } else out.set(prefix, value);
  return out;
}

function diffJson(before: Map<string, unknown>, after: Map<string, unknown>): JsonChange[] {
  const out: JsonChange[] = [];
  for (const [key, to] of after) {
    if (!before.has(key)) out.push({ key, to });
    else if (before.get(key) !== to) out.push({ key, from: before.get(key), to });
  }
  for (const [key, from] of before) if (!after.has(key)) out.push({ key, from });
  return out;
}

export function formatJsonChange(c: JsonChange): string {
  if (c.from === undefined) return `+ agent.${c.key}=${JSON.stringify(c.to)}`;
  if (c.to === undefined) return `- agent.${c.key}=${JSON.stringify(c.from)}`;
  return `~ agent.${c.key}=${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`;
}
