/**
 * Where the configuration editor gets a node's running configuration and how it checks a draft:
 * the configuration the node itself reported (`GET /api/nodes/:node/config`), or, for a node
 * that has not reported one, its last confirmed push; the check and the diff preview come from
 * the controller (`POST /api/config/validate`).
 *
 * @example
 * const base = await loadNodeConfig(api, 'gw-1');
 * const check = await validateConfig(api, 'gw-1', draft);
 */
import type { ApiClient } from './client.ts';
import { NotFoundError, RejectedInputError } from './errors.ts';
import type { ConfigPush, ValidationResult } from './types.ts';

export interface NodeConfig {
  version: string | null;
  config: Record<string, unknown>;
  source: 'controller' | 'last-confirmed-push' | 'none';
}

export async function loadNodeConfig(api: ApiClient, node: string): Promise<NodeConfig> {
  const n = encodeURIComponent(node);
  try {
    const r = await api.get<{ version: string; config: Record<string, unknown> }>(
      `/api/nodes/${n}/config`,
    );
    return { version: r.version, config: r.config, source: 'controller' };
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  const pushes = await api.get<ConfigPush[]>(`/api/config/pushes?node=${n}`);
  const confirmed = pushes.find((p) => p.status === 'confirmed');
  if (confirmed && typeof confirmed.config === 'object' && confirmed.config !== null) {
    return {
      version: confirmed.version,
      config: confirmed.config as Record<string, unknown>,
      source: 'last-confirmed-push',
    };
  }
  return { version: null, config: {}, source: 'none' };
}

/** Asks the controller what a push would change and whether it would be accepted. */
export async function validateConfig(
  api: ApiClient,
  node: string,
  config: unknown,
): Promise<ValidationResult> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return { ok: false, issues: ['(root): the configuration must be a JSON object'], diff: [] };
  }
  try {
    return await api.post<ValidationResult>('/api/config/validate', { node, config });
  } catch (e) {
    if (e instanceof RejectedInputError) {
      // 422 carries the whole result: every issue with its path, and the diff.
      const body = e.body as Partial<ValidationResult> | undefined;
      if (e.status === 422 && body?.ok === false && Array.isArray(body.diff)) {
        return { ok: false, issues: body.issues ?? e.issues, errors: body.errors, diff: body.diff };
      }
      return { ok: false, issues: e.issues.length > 0 ? e.issues : [e.message], diff: [] };
    }
    throw e;
  }
}

/** A version label for a new push: the previous one with a UI suffix and a time stamp. */
export function nextVersion(previous: string | null, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${previous ? previous.replace(/\+ui-.*$/, '') : 'v'}+ui-${stamp}`;
}
