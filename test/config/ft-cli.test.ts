/**
 * Issue 13 item 6 where operators meet it: `intelli-mesh config validate` and `render` (a real
 * process, real files) refuse a site whose two entries of one SSID disagree on the mobility
 * domain with one line naming file, line, path and rule; the controller's site preview (the
 * real Fastify app) answers 422 with the same path.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SiteEditor } from '../../src/controller/site-editor.ts';
import { apiApp } from '../controller/api-app.ts';
import { exampleObject, examplePath, type Loose } from './example-site.ts';

const bin = fileURLToPath(new URL('../../bin/intelli-mesh', import.meta.url));
const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A second 'Riverside Staff' entry for the relays, in mobility domain beef instead of a1b2. */
function splitStaff(site: Loose): Loose {
  site.ssids.push({ ...structuredClone(site.ssids[0]), name: 'staff_east' });
  site.ssids[3].roaming.mobilityDomain = 'beef';
  for (const n of site.nodes) {
    n.ssids = n.id.startsWith('relay') ? ['staff_east'] : ['staff', 'guest', 'sensors'];
  }
  return site;
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ft-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (file: string) =>
  new RegExp(
    `^${file}:\\d+:\\d+: ssids\\[3\\]\\.roaming\\.mobilityDomain: SSID 'Riverside Staff': mobility domain on relay-1 2g \\(ssids\\[3\\]\\) differs from gw-north 2g \\(ssids\\[0\\]\\) \\('beef' vs 'a1b2'\\) \\[ft-mobility-domain\\]$`,
  );

describe('802.11r mismatches refused by the CLI and the site preview', () => {
  it('config validate prints one line with the path at fault and exits 1', async () => {
    const file = join(dir, 'split.yaml');
    writeFileSync(file, stringify(splitStaff(exampleObject())));
    const r = await cli('config', 'validate', file);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(line(file));
    expect(lines[1]).toBe(`${file}: 1 error(s)`);
  });

  it('config render refuses the same site and writes nothing', async () => {
    const file = join(dir, 'split-render.yaml');
    writeFileSync(file, stringify(splitStaff(exampleObject())));
    const out = join(dir, 'out');
    const r = await cli('config', 'render', file, '--out', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(line(file));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user mistake
    expect(existsSync(join(out, 'gw-north'))).toBe(false);
  });

  it('POST /api/site/preview answers 422 with the path', async () => {
    const file = join(dir, 'site.yaml');
    copyFileSync(examplePath, file);
    // The preview edits VLANs and SSIDs only: every node serves both entries here.
    const api = await apiApp({ site: 'riverside', siteEditor: new SiteEditor(file, {}) });
    try {
      const token = await api.login('admin', 'admin-pw');
      const call = (url: string, payload?: object) =>
        api.app.inject({
          method: payload ? 'POST' : 'GET',
          url,
          headers: { authorization: `Bearer ${token}` },
          payload,
        });
      const site = (await call('/api/site')).json() as Loose;
      site.ssids.push({
        ...site.ssids[0],
        name: 'staff_east',
        key: 'staff-passphrase-change-me',
        roaming: { ...site.ssids[0].roaming, mobilityDomain: 'beef' },
      });
      const r = await call('/api/site/preview', site);
      expect(r.statusCode).toBe(422);
      expect(r.json().errors).toEqual([
        expect.objectContaining({ path: 'ssids[3].roaming.mobilityDomain' }),
      ]);
      expect(r.body).not.toContain('staff-passphrase-change-me');
    } finally {
      await api.close();
    }
  });
});
