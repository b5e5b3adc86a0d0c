/**
 * `intelli-mesh broker-config nats|mosquitto`: the users file becomes a configuration the real
 * broker accepts (`nats-server -t` checks one without starting), secrets written mode 0600, and
 * a bad users file is refused in one line that says where.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { natsUnavailable } from '../mqtt/nats-cluster.ts';

const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'im-broker-config-'));
const users = join(dir, 'users.yaml');
writeFileSync(
  users,
  [
    'users:',
    '  - { username: controller, password: c-pw, role: controller }',
    '  - { username: gw-1, password: g1-pw, role: node, site: lab }',
    '  - { username: radio-1, password: r-pw, role: radio-gateway, network: field }',
  ].join('\n'),
);
const run = (...args: string[]) => spawnSync(BIN, ['broker-config', ...args], { encoding: 'utf8' });

describe('intelli-mesh broker-config', () => {
  it.skipIf(natsUnavailable() !== undefined)(
    'writes a NATS server configuration that nats-server accepts, with per-node rights',
    () => {
      const out = join(dir, 'n1.conf');
      const r = run(
        'nats',
        ...['--users', users, '--server-name', 'n1', '--store-dir', join(dir, 'js')],
        ...['--route', '127.0.0.1:16222', '--route', '127.0.0.1:16223', '--out', out],
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('"intelli-mesh.lab.node.gw-1.state"');
      expect(text).toContain('stream_replicas: 3');
      const check = spawnSync('nats-server', ['-t', '-c', out], { encoding: 'utf8' });
      expect(check.stderr + check.stdout).toMatch(/is valid/);
    },
  );

  it('writes Mosquitto’s three files into a directory', () => {
    const out = join(dir, 'mosquitto');
    const r = run('mosquitto', '--users', users, '--out', out, '--site', 'lab', '--port', '1884');
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain(
      'topic write intelli-mesh/lab/node/gw-1/state',
    );
    expect(readFileSync(join(out, 'mosquitto.conf'), 'utf8')).toContain('listener 1884 127.0.0.1');
    expect(statSync(join(out, 'passwd')).mode & 0o777).toBe(0o600);
  });

  it('refuses a bad users file in one line that says where', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'users:\n  - { username: gw-2, password: x, role: nodes }\n');
    const r = run('nats', '--users', bad, '--server-name', 'n1', '--store-dir', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml: users\[0\]\.role: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
