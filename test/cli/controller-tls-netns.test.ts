/**
 * A controller on a server and a router reaching it over TLS, across a real link between two
 * network namespaces (not the loopback):
 *
 *   controller namespace (eth0 10.77.0.1, 10.77.0.9)  ---  (mgmt0 10.77.0.2) router namespace
 *
 * The real `intelli-mesh controller --mqtt-host 0.0.0.0` with TLS files runs in the first; the
 * real `intelli-mesh agent` runs in the second (the NetnsLab's node, with its WANs and LAN) and
 * reports to mqtts://10.77.0.1:8883 with `tls.ca`. The node comes online at the controller, as
 * its HTTPS API tells a client in the router's namespace. Agents that trust another CA, or use
 * an address the certificate does not name, are refused, say why in their log, retry with
 * backoff, and never appear at the controller; plain MQTT is not reachable across the link.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { makeTestPki, opensslUnavailableReason, type TestPki } from '../mqtt/tls-pki.ts';
import { labUnavailableReason, NetnsLab, PROBE_TARGETS } from '../platform/netns-lab.ts';
import { startControllerProcess, type ControllerProcess } from './controller-process.ts';

const exec = promisify(execFile);
const skip = (await labUnavailableReason()) ?? opensslUnavailableReason();
const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;
const PROBE = new URL('./https-api-probe.mjs', import.meta.url).pathname;
const CONTROLLER_NS = `imtls${process.pid % 100_000}c`;
const SERVER = '10.77.0.1';
/** Also the controller's, but not in its certificate. */
const UNNAMED = '10.77.0.9';
const API = `https://${SERVER}:8443`;

/** Re-checks `probe` until it holds; fails after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AgentProcess {
  child: ChildProcess;
  log: Record<string, unknown>[];
  exited: Promise<number | null>;
}

describe.skipIf(skip !== null)(
  `controller and agent over TLS across a namespace link${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let dir: string;
    let pki: TestPki;
    let lab: NetnsLab | undefined;
    let ctl: ControllerProcess | undefined;
    const agents: AgentProcess[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'im-tls-netns-'));
      pki = makeTestPki(dir, { ips: [SERVER] });
      writeFileSync(
        join(dir, 'users.yaml'),
        stringify({
          users: ['lab-node', 'stranger', 'misdirected'].map((u) => ({
            username: u,
            role: 'node',
            password_hash: hashPassword(`${u}-pw`),
          })),
        }),
      );
      lab = await NetnsLab.create();
      await exec('ip', ['netns', 'add', CONTROLLER_NS]);
      const veth = `vt${process.pid % 100_000}`;
      for (const argv of [
        ['ip', '-n', CONTROLLER_NS, 'link', 'set', 'lo', 'up'],
        ['ip', 'link', 'add', `${veth}a`, 'type', 'veth', 'peer', 'name', `${veth}b`],
        ['ip', 'link', 'set', `${veth}a`, 'netns', CONTROLLER_NS, 'name', 'eth0'],
        ['ip', 'link', 'set', `${veth}b`, 'netns', lab.node, 'name', 'mgmt0'],
        ['ip', '-n', CONTROLLER_NS, 'addr', 'add', `${SERVER}/24`, 'dev', 'eth0'],
        ['ip', '-n', CONTROLLER_NS, 'addr', 'add', `${UNNAMED}/24`, 'dev', 'eth0'],
        ['ip', '-n', lab.node, 'addr', 'add', '10.77.0.2/24', 'dev', 'mgmt0'],
        ['ip', '-n', CONTROLLER_NS, 'link', 'set', 'eth0', 'up'],
        ['ip', '-n', lab.node, 'link', 'set', 'mgmt0', 'up'],
      ]) {
        await exec(argv[0]!, argv.slice(1));
      }
      ctl = await startControllerProcess(
        [
          ...['--site', 'lab', '--db', join(dir, 'controller.db')],
          ...['--credentials', join(dir, 'users.yaml'), '--mqtt-host', '0.0.0.0'],
          ...['--mqtt-tls-cert', pki.server, '--mqtt-tls-key', pki.serverKey],
          ...['--host', '0.0.0.0', '--port', '8443'],
          ...['--http-tls-cert', pki.server, '--http-tls-key', pki.serverKey],
        ],
        {
          wrap: ['ip', 'netns', 'exec', CONTROLLER_NS],
          env: { INTELLI_MESH_PASSWORD: 'admin-pw' },
        },
      );
    }, 60_000);

    afterAll(async () => {
      for (const a of agents) {
        if (a.child.exitCode === null) a.child.kill('SIGKILL');
        await a.exited;
      }
      await ctl?.stop();
      await exec('ip', ['netns', 'del', CONTROLLER_NS]).catch(() => undefined);
      await lab?.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    /** The real agent CLI in the router's namespace, its config's mqtt section as given. */
    function startAgent(node: string, mqtt: Record<string, unknown>): AgentProcess {
      const track = {
        targets: [PROBE_TARGETS[0]],
        intervalMs: 200,
        timeoutMs: 200,
        down: 3,
        up: 2,
      };
      const config = {
        node,
        lanDevices: ['lan0'],
        zones: { lan: ['lan0'] },
        wans: [1, 2].map((n) => ({
          name: `wan${n}`,
          device: `wan${n}`,
          gateway: `10.9${n}.0.1`,
          track,
        })),
        policy: {
          members: [
            { name: 'm1', wan: 'wan1', metric: 1 },
            { name: 'm2', wan: 'wan2', metric: 2 },
          ],
          policies: [{ name: 'failover', members: ['m1', 'm2'] }],
          rules: [{ name: 'default', srcZone: 'lan', policy: 'failover' }],
        },
        mqtt: { site: 'lab', password: `${node}-pw`, ...mqtt },
      };
      const file = join(dir, `${node}.yaml`);
      writeFileSync(file, stringify(config));
      const child = spawn(
        'ip',
        ['netns', 'exec', lab!.node, BIN, 'agent', '--config', file, '--netns', lab!.node],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const log: Record<string, unknown>[] = [];
      createInterface({ input: child.stderr! }).on('line', (l) => {
        try {
          log.push(JSON.parse(l) as Record<string, unknown>);
        } catch {
          log.push({ msg: l });
        }
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const agent = { child, log, exited };
      agents.push(agent);
      return agent;
    }

    async function stopAgent(agent: AgentProcess): Promise<void> {
      agent.child.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
    }

    /** The controller's node list, asked over HTTPS from the router's namespace. */
    async function nodes(): Promise<
      { node: string; online: boolean; state?: { wans: unknown[] } }[]
    > {
      const { stdout } = await exec('ip', [
        ...['netns', 'exec', lab!.node, process.execPath, PROBE],
        ...[API, pki.ca, 'admin', 'admin-pw', '/api/nodes'],
      ]);
      return JSON.parse(stdout) as { node: string; online: boolean; state?: { wans: unknown[] } }[];
    }

    /** The agent's failed logins, once it has made `count` of them. */
    const failedLogins = (agent: AgentProcess, count: number) =>
      until(`${count} failed logins`, async () => {
        const failed = agent.log.filter((l) => l.msg === 'broker not joined');
        return failed.length >= count ? failed : undefined;
      });

    it('prints the URLs nodes can use, and which ones the certificate does not name', async () => {
      expect(ctl!.url).toBe('https://localhost:8443');
      expect(ctl!.brokers).toEqual(
        expect.arrayContaining([
          { url: `mqtts://${SERVER}:8883`, note: 'TLS' },
          {
            url: `mqtts://${UNNAMED}:8883`,
            note: `TLS; ${UNNAMED} is not in the certificate, so nodes refuse this URL`,
          },
          {
            url: 'mqtt://127.0.0.1:1883',
            note: 'plain, loopback only while TLS is on',
          },
        ]),
      );
    });

    it('refuses an agent that trusts another CA: logged with the reason, retried with backoff', async () => {
      const agent = startAgent('stranger', {
        url: `mqtts://${SERVER}:8883`,
        tls: { ca: pki.otherCa },
      });
      const [first, second] = await failedLogins(agent, 2);
      expect(first!.err).toBe(
        `stranger could not join mqtts://${SERVER}:8883: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE: the broker's certificate is not signed by a CA this node trusts: check tls.ca)`,
      );
      expect([first!.retryInMs, second!.retryInMs]).toEqual([1000, 2000]);
      expect(agent.log.some((l) => l.msg === 'reporting to the broker')).toBe(false);
      await stopAgent(agent);
      // The controller logs the handshakes the agent gave up.
      await until('the controller to log the failed handshake', async () =>
        /"listener":"mqtts:\/\/0\.0\.0\.0:8883".*"TLS handshake failed"/.test(ctl!.output())
          ? true
          : undefined,
      );
    }, 60_000);

    it('refuses an agent at an address the certificate does not name', async () => {
      const agent = startAgent('misdirected', {
        url: `mqtts://${UNNAMED}:8883`,
        tls: { ca: pki.ca },
      });
      const [first] = await failedLogins(agent, 2);
      expect(first!.err).toContain(
        `misdirected could not join mqtts://${UNNAMED}:8883: Hostname/IP does not match certificate's altnames: IP: ${UNNAMED} is not in the cert's list: ${SERVER} (ERR_TLS_CERT_ALTNAME_INVALID`,
      );
      await stopAgent(agent);
    }, 60_000);

    it('keeps plain MQTT off the link', async () => {
      // bash's /dev/tcp: a plain TCP connection from the router's namespace.
      const attempt = exec('ip', [
        ...['netns', 'exec', lab!.node, 'bash', '-c'],
        `exec 3<>/dev/tcp/${SERVER}/1883`,
      ]);
      await expect(attempt).rejects.toMatchObject({
        stderr: expect.stringContaining('Connection refused'),
      });
    });

    it('brings a node with the CA online over mqtts://, and no other', async () => {
      const agent = startAgent('lab-node', {
        url: `mqtts://${SERVER}:8883`,
        tls: { ca: pki.ca },
      });
      const node = await until('lab-node online with its state', async () => {
        const n = (await nodes()).find((x) => x.node === 'lab-node');
        return n?.online && n.state?.wans.length === 2 ? n : undefined;
      });
      expect(node.state!.wans).toHaveLength(2);
      expect(agent.log.filter((l) => l.msg === 'broker not joined')).toEqual([]);
      // The refused agents never reached the controller at all.
      expect((await nodes()).map((n) => n.node)).toEqual(['lab-node']);
      await stopAgent(agent);
      await until('lab-node offline', async () =>
        (await nodes()).find((n) => n.node === 'lab-node')?.online === false ? true : undefined,
      );
      expect(await ctl!.stop()).toBe(0);
    }, 60_000);
  },
);
