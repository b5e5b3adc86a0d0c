/**
 * The embedded broker's TLS listeners with real certificates (made by `openssl` in a temporary
 * directory): the whole broker compliance suite (credentials, ACL, wills, sessions) over
 * mqtts:// on the worker thread and over wss:// in process; a node's link refused, with the
 * reason in its message, when it lacks the CA, trusts another one, or uses an address the
 * certificate does not name; client certificates required when a client CA is given; plain and
 * TLS mixed up on either side; listeners on several addresses; and listen failures as typed
 * errors naming the listener.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentLink, type AgentLinkTls } from '../../src/agent/mqtt/agent-link.ts';
import { RealScheduler } from '../../src/core/real-scheduler.ts';
import { startBrokerThread } from '../../src/mqtt/broker-thread.ts';
import { CredentialStore } from '../../src/mqtt/credential-store.ts';
import {
  startEmbeddedBroker,
  type BrokerProtocol,
  type EmbeddedBroker,
} from '../../src/mqtt/embedded-broker.ts';
import { hashPassword } from '../../src/mqtt/password-hash.ts';
import { COMPLIANCE_USERS, brokerCompliance } from './broker-compliance.ts';
import { makeTestPki, opensslUnavailableReason, pem, type TestPki } from './tls-pki.ts';

const skip = opensslUnavailableReason();
const credentials = CredentialStore.fromUsers(
  COMPLIANCE_USERS.map((u) => ({
    username: u.username,
    role: u.role,
    password_hash: hashPassword(u.password),
  })),
);

let dir: string | undefined;
let made: TestPki | undefined;
/** The PKI, made once for the file on first use (after the skip check). */
function pki(): TestPki {
  if (!made) {
    dir = mkdtempSync(join(tmpdir(), 'im-tls-broker-'));
    made = makeTestPki(dir, { ips: ['127.0.0.1', '::1'], dns: ['localhost'] });
  }
  return made;
}
afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function urlOf(
  broker: { listeners: EmbeddedBroker['listeners'] },
  protocol: BrokerProtocol,
  i = 0,
) {
  const found = broker.listeners.filter((l) => l.protocol === protocol)[i];
  if (!found) throw new Error(`no ${protocol} listener #${i}`);
  return found.url;
}

/** Logs in as node-3 through the agent's own link; resolves to the link or the refusal. */
async function nodeLogin(url: string, tls: AgentLinkTls | undefined, password = 'node-3-pw') {
  try {
    const link = await AgentLink.connect({
      url,
      site: 'lab',
      node: 'node-3',
      password,
      tls,
      clock: new RealScheduler(),
    });
    await link.close();
    return { ok: true as const };
  } catch (err) {
    return { ok: false as const, name: (err as Error).name, message: (err as Error).message };
  }
}

describe.skipIf(skip !== null)(
  `embedded broker over TLS${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    brokerCompliance('embedded Aedes on a worker thread, over mqtts://', async () => {
      const p = pki();
      const broker = await startBrokerThread({
        credentials,
        port: 0,
        tls: { cert: pem(p.server), key: pem(p.serverKey), port: 0 },
      });
      return {
        url: urlOf(broker, 'mqtts'),
        clientOptions: { ca: pem(p.ca) },
        close: () => broker.close(),
      };
    });

    brokerCompliance('embedded Aedes over wss://', async () => {
      const p = pki();
      const broker = await startEmbeddedBroker({
        credentials,
        port: 0,
        tls: { cert: pem(p.server), key: pem(p.serverKey), port: 0, wsPort: 0 },
      });
      return {
        url: urlOf(broker, 'wss'),
        clientOptions: { ca: pem(p.ca) },
        close: () => broker.close(),
      };
    });

    describe('a node connecting', () => {
      let broker: EmbeddedBroker;
      beforeAll(async () => {
        const p = pki();
        // 127.0.0.2 is a loopback address too, but not in the certificate.
        broker = await startEmbeddedBroker({
          credentials,
          port: 0,
          tls: {
            cert: pem(p.server),
            key: pem(p.serverKey),
            hosts: ['127.0.0.1', '127.0.0.2'],
            port: 0,
            wsPort: 0,
          },
        });
      });
      afterAll(() => broker?.close());

      it('listens for each protocol on one port at every address, plain on the loopback only', async () => {
        const byProtocol = (p: BrokerProtocol) =>
          broker.listeners.filter((l) => l.protocol === p).map((l) => l.host);
        expect(byProtocol('mqtt')).toEqual(['127.0.0.1']);
        expect(byProtocol('mqtts')).toEqual(['127.0.0.1', '127.0.0.2']);
        expect(byProtocol('wss')).toEqual(['127.0.0.1', '127.0.0.2']);
        const mqtts = broker.listeners.filter((l) => l.protocol === 'mqtts');
        expect(mqtts[0]!.port).toBe(mqtts[1]!.port);
        expect(broker.url).toBe(urlOf(broker, 'mqtt'));
      });

      it('joins over mqtts:// and wss:// with the CA', async () => {
        const ca = pem(pki().ca);
        expect(await nodeLogin(urlOf(broker, 'mqtts'), { ca })).toEqual({ ok: true });
        expect(await nodeLogin(urlOf(broker, 'wss'), { ca })).toEqual({ ok: true });
      });

      it('is refused without the CA, or trusting another CA, and says why', async () => {
        for (const protocol of ['mqtts', 'wss'] as const) {
          const url = urlOf(broker, protocol);
          for (const tls of [undefined, { ca: pem(pki().otherCa) }]) {
            const r = await nodeLogin(url, tls);
            expect(r).toMatchObject({ ok: false, name: 'BrokerConnectError' });
            expect(r.ok === false && r.message).toContain(`node-3 could not join ${url}: `);
            expect(r.ok === false && r.message).toMatch(
              /UNABLE_TO_VERIFY_LEAF_SIGNATURE: the broker's certificate is not signed by a CA this node trusts: check tls\.ca/,
            );
          }
        }
      });

      it('is refused at an address the certificate does not name, even with the CA', async () => {
        for (const protocol of ['mqtts', 'wss'] as const) {
          const url = urlOf(broker, protocol, 1);
          expect(url).toContain('127.0.0.2');
          const r = await nodeLogin(url, { ca: pem(pki().ca) });
          expect(r).toMatchObject({ ok: false, name: 'BrokerConnectError' });
          expect(r.ok === false && r.message).toContain(
            "IP: 127.0.0.2 is not in the cert's list: 127.0.0.1, ::1 (ERR_TLS_CERT_ALTNAME_INVALID",
          );
        }
      });

      it('still needs the right password over TLS', async () => {
        const r = await nodeLogin(urlOf(broker, 'mqtts'), { ca: pem(pki().ca) }, 'wrong');
        expect(r).toMatchObject({ ok: false, name: 'BrokerConnectError' });
        expect(r.ok === false && r.message).toMatch(/Bad username or password/);
      });

      it('says so when plain and TLS are mixed up', async () => {
        const tlsPortInPlain = urlOf(broker, 'mqtts').replace('mqtts:', 'mqtt:');
        const plain = await nodeLogin(tlsPortInPlain, undefined);
        expect(plain.ok === false && plain.message).toContain(
          'the connection closed before the broker accepted the login (is it a TLS port? then use mqtts:// or wss://)',
        );
        const plainPortInTls = urlOf(broker, 'mqtt').replace('mqtt:', 'mqtts:');
        const tls = await nodeLogin(plainPortInTls, { ca: pem(pki().ca) });
        expect(tls.ok === false && tls.message).toMatch(/before secure TLS connection/);
      });
    });

    describe('with a client CA', () => {
      let broker: EmbeddedBroker;
      beforeAll(async () => {
        const p = pki();
        broker = await startEmbeddedBroker({
          credentials,
          port: 0,
          tls: {
            cert: pem(p.server),
            key: pem(p.serverKey),
            clientCa: pem(p.ca),
            port: 0,
            wsPort: 0,
          },
        });
      });
      afterAll(() => broker?.close());

      it('takes a node only with a certificate from that CA, and still its password', async () => {
        const p = pki();
        const ca = pem(p.ca);
        for (const protocol of ['mqtts', 'wss'] as const) {
          const url = urlOf(broker, protocol);
          const own = { ca, cert: pem(p.client), key: pem(p.clientKey) };
          expect(await nodeLogin(url, own)).toEqual({ ok: true });
          expect(await nodeLogin(url, own, 'wrong')).toMatchObject({ ok: false });
          const without = await nodeLogin(url, { ca });
          expect(without).toMatchObject({ ok: false, name: 'BrokerConnectError' });
          const foreign = await nodeLogin(url, {
            ca,
            cert: pem(p.otherClient),
            key: pem(p.otherClientKey),
          });
          expect(foreign).toMatchObject({ ok: false, name: 'BrokerConnectError' });
        }
        // Over mqtts:// the broker's alert reaches the node and is named.
        const bare = await nodeLogin(urlOf(broker, 'mqtts'), { ca });
        expect(bare.ok === false && bare.message).toContain(
          'tlsv13 alert certificate required (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: the broker requires a client certificate: set tls.cert and tls.key)',
        );
      });
    });

    describe('listeners', () => {
      const hasIpv6 = Object.values(networkInterfaces())
        .flat()
        .some((i) => i?.address === '::1');

      it.skipIf(!hasIpv6)('listen on 0.0.0.0 and :: together at one port', async () => {
        const p = pki();
        const broker = await startEmbeddedBroker({
          credentials,
          hosts: ['0.0.0.0', '::'],
          port: 0,
          tls: { cert: pem(p.server), key: pem(p.serverKey), hosts: ['0.0.0.0', '::'], port: 0 },
        });
        try {
          expect(broker.listeners.map((l) => l.url)).toEqual([
            expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/),
            expect.stringMatching(/^mqtt:\/\/\[::1\]:\d+$/),
            expect.stringMatching(/^mqtts:\/\/127\.0\.0\.1:\d+$/),
            expect.stringMatching(/^mqtts:\/\/\[::1\]:\d+$/),
          ]);
          const client = await mqtt.connectAsync(urlOf(broker, 'mqtts', 1), {
            ca: pem(p.ca),
            username: 'viewer',
            password: 'viewer-pw',
            clientId: 'viewer',
            reconnectPeriod: 0,
          });
          await client.endAsync();
        } finally {
          await broker.close();
        }
      });

      it('fail with a typed error naming the listener, and leave nothing open', async () => {
        const p = pki();
        const first = await startEmbeddedBroker({ credentials, port: 0 });
        const taken = first.listeners[0]!.port;
        // A port free a moment ago, for the plain listener that opens before the failing one.
        const probe = await startEmbeddedBroker({ credentials, port: 0 });
        const plainPort = probe.listeners[0]!.port;
        await probe.close();
        try {
          const tls = { cert: pem(p.server), key: pem(p.serverKey), port: taken };
          const failing = startEmbeddedBroker({ credentials, port: plainPort, tls });
          await expect(failing).rejects.toMatchObject({
            name: 'BrokerListenError',
            protocol: 'mqtts',
            host: '127.0.0.1',
            port: taken,
            code: 'EADDRINUSE',
            message: `cannot listen for mqtts:// on 127.0.0.1:${taken}: the port is in use (EADDRINUSE)`,
          });
          // The plain listener it had opened is closed again.
          await (await startEmbeddedBroker({ credentials, port: plainPort })).close();
          // TEST-NET-3: no machine of ours has it.
          await expect(
            startBrokerThread({ credentials, hosts: ['203.0.113.77'], port: 0 }),
          ).rejects.toMatchObject({
            name: 'BrokerStartError',
            listen: { protocol: 'mqtt', host: '203.0.113.77', code: 'EADDRNOTAVAIL' },
            message: expect.stringContaining('not an address of this machine (EADDRNOTAVAIL)'),
          });
        } finally {
          await first.close();
        }
      });
    });
  },
);
