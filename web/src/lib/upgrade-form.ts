/**
 * The upgrade campaign form as data: the operator's draft (strings, as typed), checked field by
 * field with the controller's own rules, so mistakes show beside their field before anything is
 * sent, and turned into the body of POST /api/upgrades. The controller checks again (and knows
 * which nodes are online); its 400 issues name the same fields.
 *
 * @example
 * const checked = checkDraft({ ...EMPTY_DRAFT, image_url, sha256, version });
 * if (checked.ok) await api.post('/api/upgrades', checked.body);
 * else checked.errors.sha256; // 'expected 64 hex digits'
 */
import type { CampaignRequestBody, DemoImage } from '../api/types.ts';

export interface UpgradeDraft {
  image_url: string;
  sha256: string;
  version: string;
  /** Every online node, or the nodes ticked in `nodes` (in the order of the node list). */
  target: 'online' | 'selected';
  nodes: string[];
  canary: string;
  wave_size: string;
  node_timeout_s: string;
  max_failures: string;
}

export type DraftField = Exclude<keyof UpgradeDraft, 'target'>;
export type DraftErrors = Partial<Record<DraftField, string>>;

export const EMPTY_DRAFT: UpgradeDraft = {
  image_url: '',
  sha256: '',
  version: '',
  target: 'online',
  nodes: [],
  canary: '1',
  wave_size: '5',
  node_timeout_s: '600',
  max_failures: '0',
};

/** A demo image's URL, checksum and version in the draft. */
export function draftFromImage(draft: UpgradeDraft, image: DemoImage): UpgradeDraft {
  return { ...draft, image_url: image.url, sha256: image.sha256, version: image.version };
}

function integer(text: string, min: number, max: number): number | string {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'a whole number';
  const n = Number(t);
  if (n < min) return `at least ${min}`;
  if (n > max) return `at most ${max}`;
  return n;
}

export function checkDraft(
  d: UpgradeDraft,
): { ok: true; body: CampaignRequestBody } | { ok: false; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const url = d.image_url.trim();
  if (!/^https?:\/\/[^\s/]+\S*$/.test(url)) errors.image_url = 'an http:// or https:// URL';
  else if (url.length > 2048) errors.image_url = 'at most 2048 characters';
  const sha256 = d.sha256.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) errors.sha256 = '64 hex digits (the image’s SHA-256)';
  const version = d.version.trim();
  if (version === '') errors.version = 'the version the nodes will report once upgraded';
  else if (version.length > 128) errors.version = 'at most 128 characters';
  if (d.target === 'selected' && d.nodes.length === 0) errors.nodes = 'at least one ticked node';
  const numbers = {
    canary: integer(d.canary, 1, 1000),
    wave_size: integer(d.wave_size, 1, 10_000),
    node_timeout_s: integer(d.node_timeout_s, 10, 86_400),
    max_failures: integer(d.max_failures, 0, 10_000),
  };
  for (const [field, v] of Object.entries(numbers))
    if (typeof v === 'string') errors[field as DraftField] = v;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const n = numbers as Record<keyof typeof numbers, number>;
  return {
    ok: true,
    body: {
      image_url: url,
      sha256,
      version,
      ...(d.target === 'selected' ? { nodes: d.nodes } : {}),
      canary: n.canary,
      wave_size: n.wave_size,
      node_timeout_s: n.node_timeout_s,
      max_failures: n.max_failures,
    },
  };
}

/** The field a controller issue (`nodes[2]: …`, `sha256: …`) belongs to, if it is one of ours. */
export function issueField(issue: string): DraftField | undefined {
  const m = /^([a-z_0-9]+)(\[\d+\])?:/.exec(issue);
  const field = m?.[1];
  const fields: DraftField[] = [
    'image_url',
    'sha256',
    'version',
    'nodes',
    'canary',
    'wave_size',
    'node_timeout_s',
    'max_failures',
  ];
  return fields.find((f) => f === field);
}
