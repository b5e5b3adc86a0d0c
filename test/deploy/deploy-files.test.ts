/**
 * Issue 15, item 6: what can be checked of deploy/ without containers. The compose file is parsed
 * and its topology checked (PostgreSQL, a broker, two controllers, a TLS proxy; every service
 * with a health check; each controller with the environment and flags it needs, every flag one
 * the real `intelli-mesh controller` accepts; the files it mounts shipped). The systemd units
 * pass `systemd-analyze verify`. The Mosquitto configuration is the one the real broker loads:
 * Debian's mosquitto starts on it (paths and ports of this machine), a router logs in and may
 * publish only under its own name, and a controller reads everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mosquittoPasswordHash } from '../../src/mqtt/password-hash.ts';
import { freePort, mosquittoAvailable } from '../mqtt/mosquitto-process.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(REPO, 'deploy');
const BIN = join(REPO, 'bin/intelli-mesh');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  networks?: unknown;
}

const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

/** The value after `flag` in a command line. */
const after = (cmd: string[], flag: string) => cmd[cmd.indexOf(flag) + 1];

describe('deploy/compose.yaml', () => {
  const services = compose.services;

  it('has PostgreSQL, a broker, two controllers and a proxy, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual([
      'broker',
      'controller-1',
      'controller-2',
      'postgres',
      'proxy',
    ]);
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test.length ?? 0, `${name} has a health check`).toBeGreaterThan(1);
    }
    expect(services.postgres!.image).toMatch(/^postgres:15/);
  });

  it("gives each controller the database, the broker, its own MQTT login and the proxy's trust", () => {
    const controllers = ['controller-1', 'controller-2'].map((n) => services[n]!);
    const usernames = new Set<string>();
    for (const c of controllers) {
      const cmd = c.command!;
      expect(cmd[0]).toBe('controller');
      expect(after(cmd, '--db')).toMatch(/^postgres:\/\/[^:@]+@postgres:5432\//);
      expect(after(cmd, '--mqtt-url')).toBe('mqtt://broker:1883');
      expect(after(cmd, '--host')).toBe('0.0.0.0');
      usernames.add(after(cmd, '--mqtt-username')!);
      // Behind the proxy: the proxy's fixed address is trusted, the public origin allowed.
      const proxyNet = services.proxy!.networks as Record<string, { ipv4_address: string }>;
      expect(after(cmd, '--trust-proxy')).toBe(proxyNet.mesh!.ipv4_address);
      expect(after(cmd, '--allowed-origin')).toContain('PUBLIC_URL');
      expect(Object.keys(c.environment!).sort()).toEqual(
        ['INTELLI_MESH_MQTT_PASSWORD', 'INTELLI_MESH_PASSWORD', 'LOG_LEVEL', 'PGPASSWORD'].sort(),
      );
      expect(c.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        broker: { condition: 'service_healthy' },
      });
    }
    expect(usernames.size).toBe(2);
    // The controllers' logins are the ones the broker's ACL lets read everything.
    const acl = readFileSync(join(DEPLOY, 'mosquitto/acl'), 'utf8');
    for (const u of usernames)
      expect(acl).toMatch(new RegExp(`^user ${u}\\ntopic readwrite intelli-mesh/#$`, 'm'));
  });

  it('uses only flags the real controller accepts', () => {
    const help = spawnSync(BIN, ['controller', '--help'], { encoding: 'utf8' }).stdout;
    for (const name of ['controller-1', 'controller-2']) {
      for (const flag of services[name]!.command!.filter((a) => a.startsWith('--'))) {
        expect(help, `${name}: ${flag}`).toMatch(new RegExp(`\\s${flag}[ ,<\\n]`));
      }
    }
    // One start of the CLI through tsx: seconds, more on a busy machine.
  }, 90_000);

  it('starts the proxy after healthy controllers, with TLS, and mounts only files that ship', () => {
    const proxy = services.proxy!;
    expect(proxy.depends_on).toEqual({
      'controller-1': { condition: 'service_healthy' },
      'controller-2': { condition: 'service_healthy' },
    });
    expect(proxy.ports).toContain('443:443');
    const operatorMade = ['./pki', './mosquitto/passwd'];
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (!host.startsWith('./') || operatorMade.includes(host)) continue;
        expect(existsSync(join(DEPLOY, host)), `${host} is in deploy/`).toBe(true);
      }
    }
    // The upstream the proxy gets names both controllers by their service names.
    const upstream = readFileSync(join(DEPLOY, 'nginx/upstream-compose.conf'), 'utf8');
    expect(upstream).toContain('server controller-1:8080');
    expect(upstream).toContain('server controller-2:8080');
  });
});

const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).error
  ? 'systemd-analyze is not installed'
  : undefined;

describe.skipIf(systemdAnalyze !== undefined)(
  `deploy/systemd${systemdAnalyze ? ` (skipped: ${systemdAnalyze})` : ''}`,
  () => {
    it('passes systemd-analyze verify', () => {
      const dir = mkdtempSync(join(tmpdir(), 'im-units-'));
      try {
        const units = ['intelli-mesh-controller.service', 'intelli-mesh-agent.service'];
        for (const unit of units) {
          // The units name the install path; here it is this checkout.
          const text = readFileSync(join(DEPLOY, 'systemd', unit), 'utf8').replaceAll(
            '/opt/intelli-mesh/',
            REPO,
          );
          writeFileSync(join(dir, unit), text);
        }
        const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => join(dir, u))], {
          encoding: 'utf8',
          cwd: dir,
        });
        expect(r.stderr + r.stdout).toBe('');
        expect(r.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('finds what a broken unit lacks (the check can fail)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'im-units-'));
      try {
        copyFileSync(
          join(DEPLOY, 'systemd/intelli-mesh-controller.service'),
          join(dir, 'broken.service'),
        );
        const r = spawnSync('systemd-analyze', ['verify', join(dir, 'broken.service')], {
          encoding: 'utf8',
          cwd: dir,
        });
        expect(r.stderr).toContain('/opt/intelli-mesh/bin/intelli-mesh is not executable');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

const noMosquitto = mosquittoAvailable() ? undefined : 'mosquitto is not installed';

describe.skipIf(noMosquitto !== undefined)(
  `deploy/mosquitto${noMosquitto ? ` (skipped: ${noMosquitto})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-deploy-mosquitto-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is the configuration Mosquitto runs: routers publish only as themselves', async () => {
      const plain = await freePort();
      const tls = await freePort();
      // The shipped file with this machine's paths and ports; the TLS listener is left out
      // (certificates are the operator's), everything else as shipped.
      const conf = readFileSync(join(DEPLOY, 'mosquitto/mosquitto.conf'), 'utf8')
        .replaceAll('/mosquitto/config/', `${dir}/`)
        .replace('/mosquitto/data/', `${dir}/`)
        .replace('listener 1883 0.0.0.0', `listener ${plain} 127.0.0.1`)
        .replace(/listener 8883 0\.0\.0\.0[\s\S]*$/, `listener ${tls} 127.0.0.1\nprotocol mqtt\n`);
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        conf + (process.getuid?.() === 0 ? 'user root\n' : ''),
      );
      copyFileSync(join(DEPLOY, 'mosquitto/acl'), join(dir, 'acl'));
      writeFileSync(
        join(dir, 'passwd'),
        [
          `controller-1:${mosquittoPasswordHash('ctl-pw', 1000)}`,
          `gw-1:${mosquittoPasswordHash('gw1-pw', 1000)}`,
        ].join('\n') + '\n',
        { mode: 0o600 },
      );
      const broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      broker.stderr.on('data', (d: Buffer) => (log += d.toString()));
      try {
        await waitFor('mosquitto running', () => / running/.test(log), 10_000);
        const url = `mqtt://127.0.0.1:${plain}`;
        const controller = await mqtt.connectAsync(url, {
          username: 'controller-1',
          password: 'ctl-pw',
          reconnectPeriod: 0,
        });
        const seen: string[] = [];
        controller.on('message', (topic) => seen.push(topic));
        await controller.subscribeAsync('intelli-mesh/#', { qos: 1 });
        const gw = await mqtt.connectAsync(url, {
          username: 'gw-1',
          password: 'gw1-pw',
          reconnectPeriod: 0,
        });
        await gw.publishAsync('intelli-mesh/lab/node/gw-2/state', '{}', { qos: 1 });
        await gw.publishAsync('intelli-mesh/lab/node/gw-1/state', '{}', { qos: 1 });
        await waitFor('the own-name publish at the controller', () => seen.length > 0, 5000);
        // Mosquitto acknowledges a publish it refuses by ACL, and drops it: only one arrived.
        expect(seen).toEqual(['intelli-mesh/lab/node/gw-1/state']);
        await expect(
          mqtt.connectAsync(url, { username: 'gw-1', password: 'wrong', reconnectPeriod: 0 }),
        ).rejects.toThrow();
        await gw.endAsync();
        await controller.endAsync();
      } finally {
        // Stopped before its directory is removed: it writes its persistence file on the way out.
        const exited = new Promise((resolve) => broker.once('exit', resolve));
        broker.kill('SIGTERM');
        await exited;
      }
    });
  },
);
