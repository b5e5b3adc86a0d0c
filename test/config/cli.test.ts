/**
 * The `intelli-mesh config` commands as an operator runs them: a real process through
 * bin/intelli-mesh, real files in a temporary folder.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { exampleObject, examplePath } from './example-site.ts';

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

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'config-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('intelli-mesh config', () => {
  it('validate accepts the example site', async () => {
    const r = await cli('config', 'validate', examplePath);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: 6 nodes (2 gateways), 4 VLANs, 3 SSIDs');
  });

  it('validate prints every error with file, line and path, and exits non-zero', async () => {
    const site = exampleObject();
    site.vlans[1].id = 99;
    site.ssids[0].ssid = 'x'.repeat(33);
    site.nodes[0].wans[1].apn = '';
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify(site));
    const r = await cli('config', 'validate', file);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[lines.length - 1]).toBe(`${file}: 3 error(s)`);
    for (const l of lines.slice(0, 3)) expect(l).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
    expect(r.stderr).toMatch(/vlans\[1\]\.id: .* \[vlan-id-unique\]/);
    expect(r.stderr).toMatch(/ssids\[0\]\.ssid: .* \[ssid-length\]/);
    expect(r.stderr).toContain('nodes[0].wans[1].apn: must not be empty [too-small]');
  });

  it('validate reports YAML syntax errors with line:col', async () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'name: x\nvlans: [\n  - a\n');
    const r = await cli('config', 'validate', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file}:\\d+:\\d+: .* \\[yaml-syntax\\]$`, 'm'));
  });

  it('render writes a folder per node; diff against it finds nothing, then finds edits', async () => {
    const out = join(dir, 'out');
    const r = await cli('config', 'render', examplePath, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/new MQTT password/g)).toHaveLength(6);
    const node = join(out, 'gw-north');
    expect(statSync(join(node, 'files/etc/config/wireless')).mode & 0o777).toBe(0o600);
    expect(statSync(join(node, 'files/etc/intelli-mesh')).mode & 0o777).toBe(0o700);
    expect(statSync(join(node, 'files/etc/init.d/intelli-mesh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(node, 'build-image.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(node, 'packages.txt'), 'utf8')).toContain('modemmanager');
    expect(readFileSync(join(out, 'gw-south/packages.txt'), 'utf8')).not.toContain('modemmanager');

    for (const folder of [node, join(node, 'files')]) {
      const same = await cli('config', 'diff', examplePath, 'gw-north', folder, '--exit-code');
      expect(same.stdout.trim()).toBe('gw-north: no changes');
      expect(same.code).toBe(0);
    }

    const current = join(dir, 'current');
    cpSync(join(node, 'files/etc/config'), current, { recursive: true });
    const network = join(current, 'network');
    writeFileSync(
      network,
      readFileSync(network, 'utf8').replace("option apn 'safaricom'", "option apn 'old-apn'"),
    );
    const changed = await cli('config', 'diff', examplePath, 'gw-north', current, '--exit-code');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain("~ network.lte.apn='old-apn' -> 'safaricom'");
  });

  it('render gives each node MQTT credentials the broker accepts, and keeps them on a re-render', async () => {
    const out = join(dir, 'out');
    const password = (n: string) =>
      readFileSync(join(out, n, 'files/etc/intelli-mesh/mqtt-password'), 'utf8').trim();
    const users = join(out, 'mqtt-users.yaml');
    expect(statSync(users).mode & 0o777).toBe(0o600);
    const store = CredentialStore.fromFile(users);
    const first = password('relay-2');
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Each node belongs to the site it was rendered for: the broker confines it there.
    expect(await store.authenticate('relay-2', first)).toEqual({
      username: 'relay-2',
      role: 'node',
      site: 'riverside',
    });
    expect(await store.authenticate('relay-2', password('relay-1'))).toBeUndefined();
    // A viewer added by hand survives; re-rendering keeps every node's password.
    writeFileSync(
      users,
      readFileSync(users, 'utf8') +
        `  - username: ops\n    role: viewer\n    password_hash: ${hashPassword('ops-pw')}\n`,
    );
    const again = await cli('config', 'render', examplePath, '--out', out);
    expect(again.stdout).not.toContain('new MQTT password');
    expect(password('relay-2')).toBe(first);
    const after = CredentialStore.fromFile(users);
    expect(await after.authenticate('relay-2', first)).toBeDefined();
    expect(await after.authenticate('ops', 'ops-pw')).toEqual({ username: 'ops', role: 'viewer' });
  });

  it('render installs the broker CA for mqtts and copies the package for build-image.sh', async () => {
    const site = join(dir, 'tls-site.yaml');
    const tls = exampleObject();
    tls.agent.broker = 'mqtts://controller.example.net:8883';
    writeFileSync(site, stringify(tls));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const ipk = join(dir, 'intelli-mesh_9.9.9-1_all.ipk');
    writeFileSync(ipk, 'not really a package');
    const out = join(dir, 'out-tls');
    const r = await cli(
      'config',
      'render',
      site,
      '--out',
      out,
      '--ca',
      ca,
      '--ipk',
      ipk,
      '-n',
      'gw-south',
    );
    expect(r.code).toBe(0);
    const agent = JSON.parse(
      readFileSync(join(out, 'gw-south/files/etc/intelli-mesh/agent.json'), 'utf8'),
    ) as { mqtt: Record<string, unknown> };
    expect(agent.mqtt).toMatchObject({
      url: 'mqtts://controller.example.net:8883',
      tls: { ca: 'ca.pem' },
    });
    expect(readFileSync(join(out, 'gw-south/files/etc/intelli-mesh/ca.pem'), 'utf8')).toBe(
      readFileSync(ca, 'utf8'),
    );
    expect(readFileSync(join(out, 'intelli-mesh_9.9.9-1_all.ipk'), 'utf8')).toBe(
      'not really a package',
    );
    const notPem = await cli('config', 'render', site, '--out', out, '--ca', site);
    expect(notPem.code).toBe(1);
    expect(notPem.stderr).toContain(`--ca ${site}: not a PEM certificate`);
  });

  it('diff names the line of a current file that does not parse', async () => {
    const current = join(dir, 'broken');
    cpSync(join(dir, 'current'), current, { recursive: true });
    writeFileSync(join(current, 'dhcp'), "config dnsmasq\n\toption domain 'unterminated\n");
    const r = await cli('config', 'diff', examplePath, 'gw-north', current);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dhcp:2:16: unterminated '");
  });

  it('diff names a current agent.json that is not JSON', async () => {
    const current = join(dir, 'bad-agent');
    cpSync(join(dir, 'current'), current, { recursive: true });
    writeFileSync(join(current, 'agent.json'), '{ "node": ');
    const r = await cli('config', 'diff', examplePath, 'gw-north', current);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: agent\.json: /m);
  });

  it('diff refuses an unknown node', async () => {
    const r = await cli('config', 'diff', examplePath, 'nowhere', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("node 'nowhere' is not defined");
  });
});
