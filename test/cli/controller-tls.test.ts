/**
 * `intelli-mesh controller` with TLS, as a real process on this machine: mqtts://, wss:// and
 * the HTTPS API at `--mqtt-host 127.0.0.2` (a loopback address of its own, named in the
 * certificate), plain MQTT only at 127.0.0.1 where the controller's own session uses it; nodes
 * with the CA report through both TLS listeners, a node without it is refused; and bad TLS files
 * or flags stop the start with a message naming them. The namespace test
 * (`controller-tls-netns.test.ts`) does the same across a real link.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink, type AgentLinkTls } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { makeTestPki, opensslUnavailableReason, pem, type TestPki } from '../mqtt/tls-pki.ts';
import { httpsJson, startControllerProcess, type ControllerProcess } from './controller-process.ts';

const skip = opensslUnavailableReason();
const BIN = new URL('../../bin/intelli-mesh', import.meta.url).pathname;

/** Re-checks `probe` until it holds; fails after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skip !== null)(
  `intelli-mesh controller over TLS${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let dir: string;
    let pki: TestPki;
    let users: string;
    let ctl: ControllerProcess | undefined;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'im-ctl-tls-'));
      pki = makeTestPki(dir, { ips: ['127.0.0.2'] });
      users = join(dir, 'users.yaml');
      writeFileSync(
        users,
        stringify({
          users: ['node-1', 'node-2'].map((u) => ({
            username: u,
            role: 'node',
            password_hash: hashPassword(`${u}-pw`),
          })),
        }),
      );
    });
    afterEach(async () => {
      await ctl?.stop();
      ctl = undefined;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const tlsArgs = () => [
      ...['--mqtt-tls-cert', pki.server, '--mqtt-tls-key', pki.serverKey],
      ...['--http-tls-cert', pki.server, '--http-tls-key', pki.serverKey],
    ];

    async function join_(url: string, node: string, tls: AgentLinkTls | undefined) {
      return AgentLink.connect({
        url,
        site: 'lab',
        node,
        password: `${node}-pw`,
        tls,
        clock: new RealScheduler(),
        reconnectPeriodMs: 0,
      });
    }

    it('serves mqtts://, wss:// and HTTPS at --mqtt-host, and plain MQTT only on the loopback', async () => {
      ctl = await startControllerProcess(
        [
          ...['--site', 'lab', '--db', join(dir, 'c.db'), '--credentials', users],
          ...['--host', '127.0.0.2', '--port', '0', '--mqtt-host', '127.0.0.2'],
          ...['--mqtt-port', '0', '--mqtts-port', '0', '--mqtts-ws-port', '0'],
          ...tlsArgs(),
        ],
        { env: { INTELLI_MESH_PASSWORD: 'admin-pw' } },
      );
      expect(ctl.url).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
      expect(ctl.brokers).toEqual([
        { url: expect.stringMatching(/^mqtts:\/\/127\.0\.0\.2:\d+$/), note: 'TLS' },
        { url: expect.stringMatching(/^wss:\/\/127\.0\.0\.2:\d+$/), note: 'WebSocket over TLS' },
        {
          url: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/),
          note: 'plain, loopback only while TLS is on',
        },
      ]);
      const [mqtts, wss, plain] = ctl.brokers.map((b) => b.url) as [string, string, string];
      const ca = pem(pki.ca);

      // Two nodes, one per TLS listener, report; the controller stores what they say.
      const links = [await join_(mqtts, 'node-1', { ca }), await join_(wss, 'node-2', { ca })];
      for (const [i, link] of links.entries()) {
        await link.publishEvent({
          at: Date.now(),
          node: `node-${i + 1}`,
          kind: 'hello',
          subject: 'tls',
          from: null,
          to: null,
          reason: `over ${i === 0 ? 'mqtts' : 'wss'}`,
        });
      }
      const login = await httpsJson(`${ctl.url}/api/login`, ca, {
        method: 'POST',
        body: { username: 'admin', password: 'admin-pw' },
      });
      expect(login.status).toBe(200);
      const token = (login.body as { token: string }).token;
      await until('both events stored', async () => {
        const res = await httpsJson(`${ctl!.url}/api/events`, ca, { token });
        const reasons = (res.body as { reason: string }[]).map((e) => e.reason);
        return reasons.includes('over mqtts') && reasons.includes('over wss') ? true : undefined;
      });
      for (const link of links) await link.close();

      // Without the CA, a node is refused; plain MQTT is not at the address nodes use.
      await expect(join_(mqtts, 'node-1', undefined)).rejects.toMatchObject({
        name: 'BrokerConnectError',
        message: expect.stringContaining('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      });
      const plainAtNodeAddress = plain.replace('127.0.0.1', '127.0.0.2');
      await expect(join_(plainAtNodeAddress, 'node-1', undefined)).rejects.toThrow(/ECONNREFUSED/);
      expect(await ctl.stop()).toBe(0);
    }, 60_000);

    it('refuses bad TLS files and flags before it starts, naming them', async () => {
      const run = (args: string[]) =>
        new Promise<{ status: number | null; stderr: string }>((resolve) => {
          const child = spawn(BIN, ['controller', '--db', join(dir, 'bad.db'), ...args]);
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.once('exit', (status) => resolve({ status, stderr }));
        });
      const cases: [string[], string][] = [
        [
          ['--mqtt-tls-cert', pki.server, '--mqtt-tls-key', pki.otherServerKey],
          `error: --mqtt-tls-key ${pki.otherServerKey} is not the private key of --mqtt-tls-cert ${pki.server}`,
        ],
        [
          ['--mqtt-tls-cert', pki.expiredServer, '--mqtt-tls-key', join(dir, 'expired.key')],
          `error: --mqtt-tls-cert ${pki.expiredServer}: the certificate expired on`,
        ],
        [
          ['--http-tls-cert', join(dir, 'none.pem'), '--http-tls-key', pki.serverKey],
          `error: --http-tls-cert ${join(dir, 'none.pem')}: cannot read it: no such file`,
        ],
        [
          ['--mqtt-host', 'controller.lab'],
          "error: option '--mqtt-host <address>' argument 'controller.lab' is invalid. 'controller.lab' is not an IP address",
        ],
      ];
      const results = await Promise.all(cases.map(([args]) => run(args)));
      for (const [i, [, message]] of cases.entries()) {
        expect(results[i]!.stderr).toContain(message);
        expect(results[i]!.status).toBe(1);
      }
    }, 60_000);
  },
);
