import { describe, expect, it } from 'vitest';
import type { UpgradeCampaignNode } from '../../web/src/api/types.ts';
import {
  EMPTY_DRAFT,
  checkDraft,
  draftFromImage,
  issueField,
} from '../../web/src/lib/upgrade-form.ts';
import { campaignTone, nodeStatus, waveGroups } from '../../web/src/lib/upgrade-waves.ts';
import { campaignBody } from '../../src/controller/http/upgrade-routes.ts';
import { DEMO_IMAGES } from '../../src/demo/demo-images.ts';

const SHA = 'C0FFEE'.padEnd(64, '0');
const good = { ...EMPTY_DRAFT, image_url: 'https://fw.example/x.itb', sha256: SHA, version: 'V2' };

describe('upgrade campaign form', () => {
  it('turns a good draft into the body the controller accepts, with its defaults', () => {
    const checked = checkDraft(good);
    expect(checked).toEqual({
      ok: true,
      body: {
        image_url: 'https://fw.example/x.itb',
        sha256: SHA.toLowerCase(),
        version: 'V2',
        canary: 1,
        wave_size: 5,
        node_timeout_s: 600,
        max_failures: 0,
      },
    });
    // The controller's own schema agrees with every body the form sends.
    expect(checked.ok && campaignBody.safeParse(checked.body).success).toBe(true);
  });

  it('names each field at fault, in words an operator reads', () => {
    const checked = checkDraft({
      ...EMPTY_DRAFT,
      image_url: 'ftp://x',
      sha256: 'abc',
      version: '  ',
      target: 'selected',
      canary: '0',
      wave_size: 'many',
      node_timeout_s: '5',
      max_failures: '-1',
    });
    expect(checked).toEqual({
      ok: false,
      errors: {
        image_url: 'an http:// or https:// URL',
        sha256: '64 hex digits (the image’s SHA-256)',
        version: 'the version the nodes will report once upgraded',
        nodes: 'at least one ticked node',
        canary: 'at least 1',
        wave_size: 'a whole number',
        node_timeout_s: 'at least 10',
        max_failures: 'a whole number',
      },
    });
  });

  it('sends the ticked nodes in order only when the operator picked them', () => {
    const picked = checkDraft({ ...good, target: 'selected', nodes: ['n2', 'n1'] });
    expect(picked.ok && picked.body.nodes).toEqual(['n2', 'n1']);
    const all = checkDraft({ ...good, nodes: ['n2'] });
    expect(all.ok && 'nodes' in all.body).toBe(false);
  });

  it('fills URL, checksum and version from a demo image', () => {
    const d = draftFromImage(EMPTY_DRAFT, DEMO_IMAGES[0]!);
    expect(checkDraft(d).ok).toBe(true);
    expect(d.version).toBe(DEMO_IMAGES[0]!.version);
  });

  it('places the controller’s issues beside their field', () => {
    expect(issueField("nodes[2]: 'n3' is offline")).toBe('nodes');
    expect(issueField('sha256: expected 64 hex digits')).toBe('sha256');
    expect(issueField('(root): Unrecognized key: "x"')).toBeUndefined();
  });
});

const node = (over: Partial<UpgradeCampaignNode>): UpgradeCampaignNode => ({
  campaign_id: 'c1',
  node: 'n0',
  wave: 0,
  position: 0,
  state: 'pending',
  step: null,
  reason: '',
  code: null,
  from_version: null,
  version: null,
  started_at: null,
  deadline: null,
  updated_at: 0,
  ...over,
});

describe('campaign page', () => {
  it('groups nodes by wave, canaries first, in campaign order', () => {
    const groups = waveGroups([
      node({ node: 'n3', wave: 1, position: 2 }),
      node({ node: 'n0', wave: 0, position: 0 }),
      node({ node: 'n1', wave: 1, position: 1 }),
    ]);
    expect(groups.map((g) => `${g.title}: ${g.nodes.map((n) => n.node).join(' ')}`)).toEqual([
      'Canary: n0',
      'Wave 1: n1 n3',
    ]);
  });

  it('says where each node is', () => {
    expect(nodeStatus(node({ state: 'upgrading', step: 'downloading' }))).toEqual({
      text: 'downloading',
      tone: 'warn',
    });
    expect(nodeStatus(node({ state: 'done', version: 'V2' })).text).toBe('V2');
    expect(nodeStatus(node({ state: 'failed', code: 'checksum', reason: 'mismatch' }))).toEqual({
      text: 'checksum: mismatch',
      tone: 'bad',
    });
    expect(nodeStatus(node({ state: 'failed', reason: 'offline' })).text).toBe('offline');
    const skipped = node({ state: 'skipped', reason: 'campaign stopped; not started' });
    expect(nodeStatus(skipped).text).toBe('campaign stopped; not started');
    expect(nodeStatus(node({})).text).toBe('waiting for its wave');
    expect(campaignTone('stopped')).toBe('bad');
    expect(campaignTone('done')).toBe('good');
  });
});
