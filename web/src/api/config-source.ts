/**
 * Where the configuration editor gets a node's current configuration and how it checks a draft:
 * from the controller (`GET /api/nodes/:node/config`, `POST /api/config/validate`) when it offers
 * them, and otherwise from the node's last confirmed push and a check in the browser (shape and
 * diff only), saying which one answered.
 *
 * @example
 * const base = await loadNodeConfig(api, 'gw-1');
 * const check = await validateConfig(api, 'gw-1', draft, base.config);
 */
import { configDiff } from '../lib/config-diff.ts';
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

export async function validateConfig(
  api: ApiClient,
  node: string,
  config: unknown,
  base: unknown,
): Promise<ValidationResult> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return {
      ok: false,
      issues: ['(root): the configuration must be a JSON object'],
      diff: [],
      checkedByController: false,
    };
  }
  try {
    const r = await api.post<Omit<ValidationResult, 'checkedByController'>>(
      '/api/config/validate',
      { node, config },
    );
    return { ...r, checkedByController: true };
  } catch (e) {
    if (e instanceof RejectedInputError) {
      return {
        ok: false,
        issues: e.issues.length > 0 ? e.issues : [e.message],
        diff: configDiff(base, config),
        checkedByController: true,
      };
    }
    if (!(e instanceof NotFoundError)) throw e;
  }
  return { ok: true, issues: [], diff: configDiff(base, config), checkedByController: false };
}

/** A version label for a new push: the previous one with a UI suffix and a time stamp. */
export function nextVersion(previous: string | null, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${previous ? previous.replace(/\+ui-.*$/, '') : 'v'}+ui-${stamp}`;
}
