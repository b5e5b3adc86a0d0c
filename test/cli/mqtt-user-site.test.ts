/**
 * `intelli-mesh mqtt-user --site`: a node's entry records the one site the broker lets it publish
 * under, and the entry loads as the broker will load it. `--site` with another role is refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;

function mqttUser(...args: string[]) {
  return spawnSync(BIN, ['mqtt-user', ...args], {
    env: { ...process.env, INTELLI_MESH_NEW_PASSWORD: 'pw' },
    encoding: 'utf8',
  });
}

describe('intelli-mesh mqtt-user --site', () => {
  it("records a node's site, which the credentials store returns with the login", async () => {
    const r = mqttUser('gw-1', '--role', 'node', '--site', 'lab', '--header');
    expect(r.status).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'im-mqtt-user-')), 'users.yaml');
    writeFileSync(file, r.stdout);
    expect(await CredentialStore.fromFile(file).authenticate('gw-1', 'pw')).toEqual({
      username: 'gw-1',
      role: 'node',
      site: 'lab',
    });
  });

  it('refuses --site for a viewer and a bad site name, saying why', async () => {
    const viewer = mqttUser('grafana', '--role', 'viewer', '--site', 'lab');
    expect(viewer.status).toBe(1);
    expect(viewer.stderr).toMatch(/--site is for --role node or radio-gateway only/);
    const bad = mqttUser('gw-1', '--site', 'a/b');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/site name 'a\/b'/);
  });

  it("records a radio gateway's network and site; refuses one without a network", async () => {
    const r = mqttUser(
      'gw-r',
      '--role',
      'radio-gateway',
      '--network',
      'field',
      '--site',
      'lab',
      '--header',
    );
    expect(r.status).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'im-mqtt-user-')), 'users.yaml');
    writeFileSync(file, r.stdout);
    expect(await CredentialStore.fromFile(file).authenticate('gw-r', 'pw')).toEqual({
      username: 'gw-r',
      role: 'radio-gateway',
      site: 'lab',
      network: 'field',
    });
    const missing = mqttUser('gw-r', '--role', 'radio-gateway');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--role radio-gateway needs --network NAME/);
    const stray = mqttUser('n1', '--role', 'node', '--network', 'field');
    expect(stray.status).toBe(1);
    expect(stray.stderr).toMatch(/--network is for --role radio-gateway only/);
  });
});
