/**
 * Notifications end to end: the demo (embedded broker, controller, 24 simulated nodes publishing
 * over MQTT, all in real time) with a real webhook receiver (node:http) and a real SMTP server
 * (Python's aiosmtpd, printing what it receives). A gateway is killed through the fault API and
 * later restored: each receiver must get exactly one "opened" and one "resolved" notification
 * for it, not one per client that moved to another gateway.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentNotification } from '../../src/controller/notify/incident.ts';
import { startDemo, type RunningDemo } from '../../src/demo/start-demo.ts';
import { waitFor } from '../openwrt/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'im-notify-'));
let demo: RunningDemo | undefined;
let hook: Server | undefined;
let smtp: ChildProcess | undefined;

afterAll(async () => {
  await demo?.close();
  hook?.close();
  smtp?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

/** aiosmtpd's Debugging handler prints each message between these lines. */
function subjects(out: string): string[] {
  return [...out.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1]!);
}

/** Why this machine cannot run the local SMTP server, or undefined when it can. */
const smtpMissing =
  spawnSync('/usr/bin/python3', ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0
    ? undefined
    : '/usr/bin/python3 with aiosmtpd is missing (apt-get install -y python3-aiosmtpd)';

describe.skipIf(smtpMissing !== undefined)(
  `notifications of a dead gateway (webhook and e-mail)${smtpMissing ? ` (skipped: ${smtpMissing})` : ''}`,
  () => {
    it('sends exactly one notification when the gateway dies and one when it is back', async () => {
      const received: IncidentNotification[] = [];
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          received.push(JSON.parse(body) as IncidentNotification);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
      const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/mesh-alerts`;

      const smtpPort = await freePort();
      let mail = '';
      smtp = spawn(
        '/usr/bin/python3',
        ['-u', '-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      smtp.stdout!.on('data', (d: Buffer) => (mail += d.toString()));
      smtp.stderr!.on('data', (d: Buffer) => (mail += d.toString()));
      await waitFor('aiosmtpd listening', async () => await accepts(smtpPort), 20_000);

      demo = await startDemo({
        // The radio mesh is not looked at here: a smaller demo boots faster and loads the machine less.
        radioNodes: 0,
        port: 0,
        nodes: 24,
        seed: 1,
        dbPath: join(dir, 'demo.db'),
        adminPassword: 'pw',
        stateEveryMs: 1_000,
        notify: {
          webhooks: [hookUrl],
          smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
          emailTo: ['ops@example.org'],
          emailFrom: 'mesh@example.org',
          policy: { groupWaitMs: 3_000, resolveHoldMs: 12_000 },
        },
      });
      const notifier = demo.controller.notifier!;
      const store = demo.controller.store;
      // Let the mesh settle: every node reporting, gateways announcing, nothing open or pending.
      await waitFor(
        'a settled mesh',
        async () =>
          (await store.nodes.list()).filter(async (n) => n.online && n.state).length === 24 &&
          (await store.alerts.listOpen()).length === 0 &&
          notifier.book.open().length === 0 &&
          notifier.book.nextDeadline() === undefined,
        60_000,
      );
      const before = { hook: received.length, mail: subjects(mail).length };

      demo.world.faults.apply({ action: 'kill-node', node: 'n0' });
      const opened = await waitFor(
        'the webhook notification of the dead gateway',
        () => received.slice(before.hook).find((n) => n.type === 'incident-opened'),
        20_000,
      );
      expect(opened.incident.root).toBe('node:n0');
      expect(opened.incident.severity).toBe('critical');
      expect(opened.incident.title).toMatch(/^n0 is offline/);
      await waitFor('the e-mail', () => subjects(mail).length > before.mail, 20_000);
      // Clients switched gateways meanwhile; give them time to (not) raise anything more.
      await new Promise((r) => setTimeout(r, 5_000));
      expect(received.slice(before.hook).map((n) => n.type)).toEqual(['incident-opened']);
      expect(subjects(mail).slice(before.mail)).toEqual([
        expect.stringMatching(/^\[intelli-mesh demo\] OPEN critical: n0 is offline/),
      ]);

      demo.world.faults.apply({ action: 'restore-node', node: 'n0' });
      const resolved = await waitFor(
        'the webhook notification of the recovery',
        () => received.slice(before.hook).find((n) => n.type === 'incident-resolved'),
        60_000,
      );
      expect(resolved.incident.id).toBe(opened.incident.id);
      await waitFor('the recovery e-mail', () => subjects(mail).length > before.mail + 1, 20_000);
      await new Promise((r) => setTimeout(r, 3_000));
      expect(received.slice(before.hook).map((n) => [n.type, n.incident.id])).toEqual([
        ['incident-opened', opened.incident.id],
        ['incident-resolved', opened.incident.id],
      ]);
      expect(subjects(mail).slice(before.mail)).toEqual([
        expect.stringMatching(/OPEN critical: n0 is offline/),
        expect.stringMatching(/^\[intelli-mesh demo\] RESOLVED: n0 is offline/),
      ]);
    }, 240_000);
  },
);
