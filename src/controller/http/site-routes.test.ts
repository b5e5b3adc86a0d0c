/**
 * VLANs and SSIDs edited through the site file over the real Fastify app: read (keys hidden),
 * preview with the rendered UCI changes per node, every issue of a bad edit with its path, and
 * apply: operators and admins only, the file rewritten atomically with its comments and keys kept.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiApp, type ApiApp } from '../../../test/controller/api-app.ts';
import { KEPT_KEY, SiteEditor } from '../site-editor.ts';

const example = fileURLToPath(new URL('../../../examples/site.yaml', import.meta.url));
let dir: string;
let file: string;
let api: ApiApp;
const tokens: Record<string, string> = {};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'site-routes-'));
  file = join(dir, 'site.yaml');
  copyFileSync(example, file);
  api = await apiApp({ site: 'riverside', siteEditor: new SiteEditor(file, {}) });
  tokens.admin = await api.login('admin', 'admin-pw');
  tokens.watcher = await api.login('watcher', 'viewer-pw');
});

afterEach(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  api.app.inject({ method, url, headers: { authorization: `Bearer ${tokens[user]}` }, payload });

interface SiteView {
  version: string;
  vlans: { name: string; id: number }[];
  ssids: { name: string; ssid: string; key: string }[];
  nodes: string[];
}

describe('site VLANs and SSIDs over the API', () => {
  it('reads them without the Wi-Fi keys', async () => {
    const r = await call('watcher', 'GET', '/api/site');
    expect(r.statusCode).toBe(200);
    const site = r.json() as SiteView;
    expect(site.vlans.map((v) => v.id)).toEqual([99, 10, 30, 40]);
    expect(site.ssids.map((s) => s.key)).toEqual([KEPT_KEY, KEPT_KEY, KEPT_KEY]);
    expect(r.body).not.toContain('staff-passphrase-change-me');
    expect(site.nodes).toContain('gw-north');
  });

  it('previews the rendered UCI changes per node, and every issue of a bad edit', async () => {
    const site = (await call('watcher', 'GET', '/api/site')).json() as SiteView;
    site.vlans[3]!.id = 41;
    site.ssids[1]!.ssid = 'Riverside Visitors';
    const r = await call('watcher', 'POST', '/api/site/preview', site);
    expect(r.statusCode).toBe(200);
    const p = r.json() as { ok: boolean; nodes: { node: string; uci: string[] }[] };
    expect(p.ok).toBe(true);
    expect(p.nodes.map((n) => n.node)).toEqual(site.nodes);
    const north = p.nodes.find((n) => n.node === 'gw-north')!;
    expect(north.uci.some((l) => l.startsWith('~ network.') && l.includes("'41'"))).toBe(true);
    expect(north.uci).toContain(
      "~ wireless.guest_2g.ssid='Riverside Guest' -> 'Riverside Visitors'",
    );

    const bad = structuredClone(site) as unknown as {
      vlans: Record<string, unknown>[];
      ssids: Record<string, unknown>[];
    };
    bad.vlans[0]!.id = 5000;
    const { ssid, ...rest } = bad.ssids[0]!;
    bad.ssids[0] = { ...rest, ssidd: ssid };
    const refused = await call('watcher', 'POST', '/api/site/preview', bad);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual(
      expect.arrayContaining([
        { path: 'vlans[0].id', message: 'VLAN id must be 1-4094' },
        { path: 'ssids[0].ssid', message: 'required' },
        { path: 'ssids[0].ssidd', message: "unknown key (did you mean 'ssid'?)" },
      ]),
    );
    // A preview changes nothing.
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(example, 'utf8'));
  });

  it('applies for operators and admins only (not viewers), keeping the comments and the keys, and refuses a stale version', async () => {
    const site = (await call('admin', 'GET', '/api/site')).json() as SiteView;
    site.vlans[3]!.id = 41;
    expect((await call('watcher', 'POST', '/api/site/apply', site)).statusCode).toBe(403);
    const r = await call('admin', 'POST', '/api/site/apply', site);
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      ok: boolean;
      version: string;
      nodes: { node: string; note: string }[];
    };
    expect(body.ok).toBe(true);
    expect(body.nodes.find((n) => n.node === 'gw-north')?.note).toMatch(/config render/);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# An example site: six Banana Pi BPI-R3 nodes');
    expect(text).toContain('staff-passphrase-change-me');
    expect(text).not.toContain(KEPT_KEY);
    expect(text).toMatch(/name: guest\n\s+id: 41/);
    expect(((await call('admin', 'GET', '/api/site')).json() as SiteView).version).toBe(
      body.version,
    );
    // Applying again on the version read before the first apply would lose that change.
    const stale = await call('admin', 'POST', '/api/site/apply', {
      ...site,
      version: site.version,
    });
    expect(stale.statusCode).toBe(409);
  });
});
