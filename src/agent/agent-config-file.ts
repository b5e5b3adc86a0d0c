/**
 * The agent config as the controller sees it, and as it is kept on disk. A pushed configuration
 * is the node's config file without its `mqtt` section: the broker connection and credentials
 * stay the node's own (a push can neither read the password nor cut the node off its broker),
 * and the node name cannot change. A confirmed configuration is written back to the file
 * atomically (temporary file, fsync, rename), with its version, so a reboot keeps it; a `.json`
 * file is written as JSON, any other as YAML.
 *
 * @example
 * const running = await readAgentConfigFile('/etc/intelli-mesh/agent.json');
 * const checked = checkPushedConfig(command.config, running); // { ok: true, config } or issues
 * await writeConfigFile('/etc/intelli-mesh/agent.yaml', running, 'v7', pushedDocument);
 */
import { createHash } from 'node:crypto';
import { open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  AgentConfigError,
  agentConfigIssues,
  parseAgentConfigJson,
  validateAgentConfig,
  type AgentConfig,
} from './agent-config.ts';
import type { ValidationIssue } from './command/config-transaction.ts';

/** Reads a config file: `.json` as JSON, anything else as YAML (whose parser loads only then). */
export async function readAgentConfigFile(path: string): Promise<AgentConfig> {
  const text = await readFile(path, 'utf8');
  if (path.endsWith('.json')) return parseAgentConfigJson(text, path);
  const { parseAgentConfig } = await import('./agent-config-yaml.ts');
  return parseAgentConfig(text, path);
}

/** What is reported and pushed: the config document without `mqtt` (secrets) and `version`. */
export function pushableDocument(cfg: AgentConfig): Record<string, unknown> {
  const { mqtt: _mqtt, version: _version, ...rest } = cfg.document;
  return rest;
}

/** The file's `version`, or one derived from its content when a person wrote it. */
export function configVersion(cfg: AgentConfig): string {
  if (cfg.version !== undefined) return cfg.version;
  const digest = createHash('sha256')
    .update(JSON.stringify(pushableDocument(cfg)))
    .digest('hex');
  return `local-${digest.slice(0, 12)}`;
}

/**
 * Every problem of a pushed configuration for the node named `node`: the same checks the node
 * runs before it applies one (the controller runs them too, so it refuses what the node would).
 */
export function pushedAgentConfigIssues(input: unknown, node: string): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: '(root)', message: 'expected an agent config object' }];
  }
  const { version: _version, mqtt, ...rest } = input as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  if (mqtt !== undefined)
    issues.push({
      path: 'mqtt',
      message: "the broker connection is set in the node's own file, not pushed",
    });
  if (typeof rest.node === 'string' && rest.node !== node)
    issues.push({ path: 'node', message: `this node is '${node}'; a push cannot rename it` });
  issues.push(...agentConfigIssues(rest));
  return issues;
}

/** Validates a pushed configuration against the running one's node name and mqtt section. */
export function checkPushedConfig(
  input: unknown,
  running: AgentConfig,
): { ok: true; config: Record<string, unknown> } | { ok: false; errors: ValidationIssue[] } {
  const errors = pushedAgentConfigIssues(input, running.node);
  if (errors.length > 0) return { ok: false, errors };
  try {
    const { version: _version, ...rest } = input as Record<string, unknown>;
    const cfg = toAgentConfig(rest, running, 'pushed config');
    return { ok: true, config: pushableDocument(cfg) };
  } catch (e) {
    if (e instanceof AgentConfigError) return { ok: false, errors: [...e.issues] };
    throw e;
  }
}

/** A pushable document made whole again with the running config's mqtt section. */
export function toAgentConfig(
  document: Record<string, unknown>,
  running: AgentConfig,
  source: string,
  version?: string,
): AgentConfig {
  const mqtt = running.document.mqtt;
  return validateAgentConfig(
    {
      ...document,
      ...(version !== undefined ? { version } : {}),
      ...(mqtt !== undefined ? { mqtt } : {}),
    },
    source,
  );
}

/** Replaces the config file with `document` at `version`, keeping the file's mqtt section. */
export async function writeConfigFile(
  path: string,
  running: AgentConfig,
  version: string,
  document: Record<string, unknown>,
): Promise<void> {
  const whole = toAgentConfig(document, running, path, version);
  const { version: _v, mqtt, ...rest } = whole.document;
  const doc = { version, ...rest, ...(mqtt !== undefined ? { mqtt } : {}) };
  // A JSON file (the one OpenWrt's package and `config render` install) stays JSON.
  const text = path.endsWith('.json')
    ? `${JSON.stringify(doc, null, 2)}\n`
    : `# Written by intelli-mesh agent: configuration ${version}, confirmed by the controller.\n` +
      (await import('yaml')).stringify(doc);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, text, { mode });
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  // The rename itself is durable only once the directory is synced.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
