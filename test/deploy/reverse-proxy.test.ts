/**
 * Issue 15, item 6: the reverse proxy of deploy/ as shipped, run by Debian's nginx in front of a
 * real controller process. The shipped files are used unchanged except for what only a machine
 * decides (ports, certificate paths, the controller's address): `nginx -t` accepts them; an API
 * login and GET go through over TLS; the live feed's WebSocket opens through the proxy, from a
 * page of the public origin, and carries a node's event published after it opened; plain HTTP is
 * redirected to HTTPS; and the controller sees the client's address, not a forged
 * X-Forwarded-For (the proxy sets the header).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword, RANDOM_SECRET_SCRYPT } from '../../src/mqtt/password-hash.ts';
import { nodeTopic } from '../../src/mqtt/topics.ts';
import { startControllerProcess, type ControllerProcess } from '../cli/controller-process.ts';
import { freePort } from '../mqtt/mosquitto-process.ts';
import { makeTestPki, opensslUnavailableReason } from '../mqtt/tls-pki.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const DEPLOY = new URL('../../deploy/nginx/', import.meta.url).pathname;
const NGINX = '/usr/sbin/nginx';

function nginxUnavailable(): string | undefined {
  if (spawnSync(NGINX, ['-v']).error) return `${NGINX} is missing (apt-get install nginx-light)`;
  return opensslUnavailableReason() ?? undefined;
}
const skip = nginxUnavailable();

/**
 * The shipped site and upstream files with this machine's ports, certificate and controller, in
 * a main configuration of its own (Debian's /etc/nginx/nginx.conf is not ours to test).
 */
function nginxConfig(
  dir: string,
  o: { https: number; http: number; controller: string; cert: string; key: string },
): string {
  const site = readFileSync(join(DEPLOY, 'intelli-mesh.conf'), 'utf8')
    .replace(/^\s*listen \[::\].*\n/gm, '')
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${o.https} ssl http2;`)
    .replace('listen 80;', `listen 127.0.0.1:${o.http};`)
    .replace('/etc/intelli-mesh/pki/proxy.pem', o.cert)
    .replace('/etc/intelli-mesh/pki/proxy.key', o.key);
  const upstream = readFileSync(join(DEPLOY, 'upstream-local.conf'), 'utf8').replace(
    '127.0.0.1:8080',
    o.controller,
  );
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(join(dir, 'upstream.conf'), upstream);
  const temp = (name: string) => `${name} ${join(dir, name.replace(/_path$/, ''))};`;
  const main = [
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    // As root nginx's workers would run as nobody, who cannot read the test's private files.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...[
      'client_body_temp_path',
      'proxy_temp_path',
      'fastcgi_temp_path',
      'uwsgi_temp_path',
      'scgi_temp_path',
    ].map((t) => `  ${temp(t)}`),
    `  include ${join(dir, 'upstream.conf')};`,
    `  include ${join(dir, 'site.conf')};`,
    '}',
  ].join('\n');
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, main + '\n');
  return file;
}

function httpsJson(
  url: string,
  ca: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        ca,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

describe.skipIf(skip !== undefined)(
  `deploy/nginx in front of a controller${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-proxy-'));
    let ctl: ControllerProcess;
    let nginx: ChildProcess;
    let conf: string;
    let ca: string;
    let base: string;
    let httpPort: number;
    let mqttUrl: string;
    const nodePassword = 'gw-1-password-for-the-proxy-test';

    beforeAll(async () => {
      const pki = makeTestPki(dir, { ips: ['127.0.0.1'], dns: ['localhost'] });
      ca = readFileSync(pki.ca, 'utf8');
      const https = await freePort();
      httpPort = await freePort();
      base = `https://localhost:${https}`;
      const users = join(dir, 'users.yaml');
      writeFileSync(
        users,
        `users:\n  - username: gw-1\n    role: node\n    password_hash: "${hashPassword(nodePassword, RANDOM_SECRET_SCRYPT)}"\n`,
      );
      // As docs/deployment.md starts a controller behind the proxy on the same machine.
      ctl = await startControllerProcess(
        [
          ...['--site', 'lab', '--db', join(dir, 'lab.db'), '--credentials', users],
          ...['--port', '0', '--mqtt-port', '0', '--trust-proxy', '127.0.0.1'],
          ...['--allowed-origin', base],
        ],
        {
          env: { INTELLI_MESH_PASSWORD: 'proxy-test-admin-pw', LOG_LEVEL: 'info' },
          timeoutMs: 150_000,
        },
      );
      mqttUrl = ctl.brokers.find((b) => b.url.startsWith('mqtt://'))!.url;
      mkdirSync(join(dir, 'nginx'));
      conf = nginxConfig(join(dir, 'nginx'), {
        https,
        http: httpPort,
        controller: new URL(ctl.url).host,
        cert: pki.server,
        key: pki.serverKey,
      });
      nginx = spawn(NGINX, ['-c', conf, '-p', join(dir, 'nginx')], { stdio: 'ignore' });
      await waitFor(
        'nginx answering over TLS',
        async () => (await httpsJson(`${base}/api/health`, ca)).status === 200,
        15_000,
        { intervalMs: 100 },
      );
      // Starting a controller takes seconds, far more on a machine shared with other work.
    }, 200_000);

    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
      await ctl?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('passes nginx -t', () => {
      const t = spawnSync(NGINX, ['-t', '-c', conf, '-p', join(dir, 'nginx')], {
        encoding: 'utf8',
      });
      expect(t.stderr).toContain('test is successful');
      expect(t.status).toBe(0);
    });

    it('logs in and reads the API through the proxy over TLS', async () => {
      const login = await httpsJson(`${base}/api/login`, ca, {
        method: 'POST',
        body: { username: 'admin', password: 'proxy-test-admin-pw' },
      });
      expect(login.status).toBe(200);
      const token = (login.body as { token: string }).token;
      const overview = await httpsJson(`${base}/api/overview`, ca, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(overview.status).toBe(200);
      expect(overview.body).toMatchObject({ site: 'lab' });
    });

    it('carries the live feed WebSocket, opened from the public origin, with later changes', async () => {
      const login = await httpsJson(`${base}/api/login`, ca, {
        method: 'POST',
        body: { username: 'admin', password: 'proxy-test-admin-pw' },
      });
      const token = (login.body as { token: string }).token;
      const ws = new WebSocket(`${base.replace('https', 'wss')}/api/live`, {
        ca,
        headers: { authorization: `Bearer ${token}`, origin: base },
      });
      const received: { type: string; changes?: { type: string; event?: { reason: string } }[] }[] =
        [];
      ws.on('message', (d: Buffer) => received.push(JSON.parse(d.toString())));
      try {
        await waitFor(
          'the hello through the proxy',
          () => received.some((m) => m.type === 'hello'),
          10_000,
        );
        const node = await mqtt.connectAsync(mqttUrl, {
          username: 'gw-1',
          password: nodePassword,
          clientId: 'gw-1:agent',
          reconnectPeriod: 0,
        });
        try {
          await node.publishAsync(
            nodeTopic('lab', 'gw-1', 'events'),
            JSON.stringify({
              at: Date.now(),
              node: 'gw-1',
              kind: 'wan-state',
              subject: 'wan',
              from: 'online',
              to: 'offline',
              reason: 'through the proxy',
            }),
            { qos: 1 },
          );
        } finally {
          await node.endAsync();
        }
        await waitFor(
          'the event on the live feed through the proxy',
          () =>
            received.some((m) =>
              m.changes?.some((c) => c.type === 'event' && c.event?.reason === 'through the proxy'),
            ),
          10_000,
        );
      } finally {
        ws.close();
      }
    });

    it('refuses the live feed to a page of another origin', async () => {
      const ws = new WebSocket(`${base.replace('https', 'wss')}/api/live`, {
        ca,
        headers: { origin: 'https://evil.example' },
      });
      const status = await new Promise<number | undefined>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(undefined));
      });
      ws.terminate();
      expect(status).toBe(403);
    });

    it('redirects plain HTTP to HTTPS', async () => {
      const res = await new Promise<{ status?: number; location?: string }>((resolve, reject) => {
        httpRequest(`http://127.0.0.1:${httpPort}/api/overview`, (r) => {
          r.resume();
          resolve({ status: r.statusCode, location: r.headers.location });
        })
          .once('error', reject)
          .end();
      });
      expect(res.status).toBe(301);
      expect(res.location).toBe('https://127.0.0.1/api/overview');
    });

    it('sets X-Forwarded-For itself: a forged one does not reach the controller', async () => {
      // Wrong passwords from a forged address would throttle that address; the proxy replaces the
      // header with the real peer, so the controller logs the failures against 127.0.0.1.
      const before = ctl.output().length;
      const res = await httpsJson(`${base}/api/login`, ca, {
        method: 'POST',
        body: { username: 'admin', password: 'wrong' },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      expect(res.status).toBe(401);
      await waitFor(
        'the failed login in the log',
        () => /login failed/.test(ctl.output().slice(before)),
        5000,
      );
      const line = ctl.output().slice(before);
      const failed = line.split('\n').find((l) => l.includes('login failed')) ?? '';
      expect(failed).toMatch(/"from":"(::ffff:)?127\.0\.0\.1"/);
      expect(failed).not.toContain('203.0.113.9');
    });
  },
);
