/**
 * The controller's embedded-broker flags as a listen plan, the TLS files checked before anything
 * listens (each problem its own error, naming flag and file), and the startup lines that list
 * the URLs nodes can use. Certificates are real, made by `openssl` in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  brokerBanner,
  brokerListenPlan,
  type BrokerFlags,
  type BrokerListenPlan,
} from '../../src/cli/broker-listeners.ts';
import { loadServerTls } from '../../src/cli/tls-files.ts';
import type { BrokerListener } from '../../src/mqtt/embedded-broker.ts';
import { makeTestPki, opensslUnavailableReason, type TestPki } from '../mqtt/tls-pki.ts';

const skip = opensslUnavailableReason();
const dir = mkdtempSync(join(tmpdir(), 'im-broker-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let made: TestPki | undefined;
const pki = () => (made ??= makeTestPki(dir, { ips: ['10.77.0.1'], dns: ['ctl.lab', '*.lab'] }));

/** A plan from flags, each flag counted as given on the command line. */
function plan(flags: Partial<BrokerFlags>, now = Date.now()): BrokerListenPlan {
  const all: BrokerFlags = { mqttPort: 1883, ...flags };
  return brokerListenPlan(all, (key) => key in flags, now);
}

function failure(run: () => unknown): { name: string; message: string } {
  try {
    run();
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected a failure');
}

describe('brokerListenPlan: flags', () => {
  it('listens in plain on --mqtt-host without TLS, loopback by default', () => {
    expect(plan({}).options).toEqual({
      hosts: ['127.0.0.1'],
      port: 1883,
      wsPort: undefined,
      tls: undefined,
    });
    expect(plan({ mqttHost: ['0.0.0.0'], mqttWsPort: 9001 }).options).toMatchObject({
      hosts: ['0.0.0.0'],
      wsPort: 9001,
    });
  });

  it('refuses contradictions, naming the flags', () => {
    const cases: [Partial<BrokerFlags>, string][] = [
      [{ mqttTlsCert: 'a.pem' }, '--mqtt-tls-cert needs --mqtt-tls-key'],
      [{ mqttTlsKey: 'a.key' }, '--mqtt-tls-key needs --mqtt-tls-cert'],
      [{ mqttTlsCa: 'ca.pem' }, '--mqtt-tls-ca needs --mqtt-tls-cert and --mqtt-tls-key'],
      [{ mqttsPort: 8883 }, '--mqtts-port needs --mqtt-tls-cert and --mqtt-tls-key'],
      [{ mqttsWsPort: 8884 }, '--mqtts-ws-port needs --mqtt-tls-cert and --mqtt-tls-key'],
      [{ mqttWsPort: 1883 }, '--mqtt-ws-port 1883 is the port of --mqtt-port already'],
      [
        { mqttHost: ['0.0.0.0'], mqttPlainHost: ['127.0.0.1'] },
        'without TLS files, --mqtt-host is where plain MQTT listens: give it or --mqtt-plain-host, not both',
      ],
      [
        { mqttUrl: 'mqtt://10.0.0.1', mqttHost: ['0.0.0.0'] },
        '--mqtt-host configures the embedded broker, which --mqtt-url replaces',
      ],
      [
        { mqttUrl: 'mqtt://10.0.0.1', credentials: 'users.yaml' },
        '--credentials configures the embedded broker',
      ],
    ];
    for (const [flags, message] of cases) {
      const f = failure(() => plan(flags));
      expect(f.name).toBe('BrokerFlagError');
      expect(f.message).toContain(message);
    }
    // Two listeners may both pick a free port.
    expect(plan({ mqttPort: 0, mqttWsPort: 0 }).options.wsPort).toBe(0);
  });
});

describe.skipIf(skip !== null)(`with certificates${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tlsFlags = () => ({ mqttTlsCert: pki().server, mqttTlsKey: pki().serverKey });

  it('serves TLS on --mqtt-host and keeps plain MQTT on the loopback, unless told otherwise', () => {
    const p = plan({ ...tlsFlags(), mqttHost: ['0.0.0.0'], mqttsWsPort: 8884 });
    expect(p.options).toMatchObject({
      hosts: ['127.0.0.1'],
      port: 1883,
      tls: { hosts: ['0.0.0.0'], port: 8883, wsPort: 8884, clientCa: undefined },
    });
    expect(p.plainOnLoopbackForTls).toBe(true);
    expect(p.plainHostFlag).toBe('--mqtt-plain-host');
    const both = plan({ ...tlsFlags(), mqttHost: ['0.0.0.0'], mqttPlainHost: ['10.0.0.1'] });
    expect(both.options.hosts).toEqual(['10.0.0.1']);
    expect(both.plainOnLoopbackForTls).toBe(false);
    const withCa = plan({ ...tlsFlags(), mqttTlsCa: pki().ca, mqttsPort: 0 });
    expect(withCa.options.tls).toMatchObject({
      port: 0,
      clientCa: expect.stringMatching(/^-----BEGIN CERTIFICATE/),
    });
  });

  it('refuses a bad TLS file with an error of its own, naming the flag and the file', () => {
    const p = pki();
    const cases: [Partial<BrokerFlags>, string, string][] = [
      [
        { mqttTlsCert: join(dir, 'missing.pem'), mqttTlsKey: p.serverKey },
        'TlsFileUnreadableError',
        `--mqtt-tls-cert ${join(dir, 'missing.pem')}: cannot read it: no such file`,
      ],
      [
        { mqttTlsCert: dir, mqttTlsKey: p.serverKey },
        'TlsFileUnreadableError',
        `--mqtt-tls-cert ${dir}: cannot read it: EISDIR`,
      ],
      [
        { mqttTlsCert: p.serverKey, mqttTlsKey: p.serverKey },
        'TlsCertificateInvalidError',
        `--mqtt-tls-cert ${p.serverKey}: not a PEM certificate`,
      ],
      [
        { mqttTlsCert: p.server, mqttTlsKey: p.server },
        'TlsKeyInvalidError',
        `--mqtt-tls-key ${p.server}: not an unencrypted PEM private key`,
      ],
      [
        { mqttTlsCert: p.server, mqttTlsKey: p.otherServerKey },
        'TlsKeyMismatchError',
        `--mqtt-tls-key ${p.otherServerKey} is not the private key of --mqtt-tls-cert ${p.server}`,
      ],
      [
        { mqttTlsCert: p.expiredServer, mqttTlsKey: join(dir, 'expired.key') },
        'TlsCertificateExpiredError',
        `--mqtt-tls-cert ${p.expiredServer}: the certificate expired on `,
      ],
      [
        { ...tlsFlags(), mqttTlsCa: p.serverKey },
        'TlsCertificateInvalidError',
        `--mqtt-tls-ca ${p.serverKey}: not a PEM certificate`,
      ],
    ];
    for (const [flags, name, message] of cases) {
      const f = failure(() => plan(flags));
      expect(f).toMatchObject({ name });
      expect(f.message).toContain(message);
    }
    const early = failure(() => plan(tlsFlags(), Date.parse('2000-01-01T00:00:00Z')));
    expect(early.name).toBe('TlsCertificateNotYetValidError');
    expect(early.message).toMatch(/is valid only from .* \(is this machine's clock right\?\)/);
  });

  it('lists every URL nodes can use, and says which ones the certificate does not name', () => {
    const tls = loadServerTls({
      cert: { flag: '--mqtt-tls-cert', file: pki().server },
      key: { flag: '--mqtt-tls-key', file: pki().serverKey },
      now: Date.now(),
    });
    expect(tls.names).toEqual([
      { kind: 'IP', value: '10.77.0.1' },
      { kind: 'DNS', value: 'ctl.lab' },
      { kind: 'DNS', value: '*.lab' },
    ]);
    const iface = (address: string, family: 'IPv4' | 'IPv6') =>
      ({
        address,
        family,
        internal: false,
        netmask: '',
        mac: '',
        cidr: null,
      }) as NetworkInterfaceInfo;
    const interfaces = {
      lo: [iface('127.0.0.1', 'IPv4')],
      eth0: [iface('10.77.0.1', 'IPv4'), iface('10.77.0.9', 'IPv4')],
    };
    const listeners: BrokerListener[] = [
      { protocol: 'mqtt', host: '127.0.0.1', port: 1883, url: 'mqtt://127.0.0.1:1883' },
      { protocol: 'mqtts', host: '0.0.0.0', port: 8883, url: 'mqtts://127.0.0.1:8883' },
      { protocol: 'wss', host: '10.77.0.1', port: 8884, url: 'wss://10.77.0.1:8884' },
    ];
    expect(brokerBanner(listeners, { tls, plainOnLoopbackForTls: true }, interfaces)).toEqual([
      'MQTT broker: mqtts://127.0.0.1:8883 (TLS; 127.0.0.1 is not in the certificate, so nodes refuse this URL)',
      'MQTT broker: mqtts://10.77.0.1:8883 (TLS)',
      'MQTT broker: mqtts://10.77.0.9:8883 (TLS; 10.77.0.9 is not in the certificate, so nodes refuse this URL)',
      "MQTT broker: mqtts://ctl.lab:8883 (TLS, the certificate's name: it must resolve to this machine)",
      'MQTT broker: wss://10.77.0.1:8884 (WebSocket over TLS)',
      "MQTT broker: wss://ctl.lab:8884 (WebSocket over TLS, the certificate's name: it must resolve to this machine)",
      'MQTT broker: mqtt://127.0.0.1:1883 (plain, loopback only while TLS is on)',
    ]);
    const plain: BrokerListener[] = [
      { protocol: 'mqtt', host: '0.0.0.0', port: 1883, url: 'mqtt://127.0.0.1:1883' },
    ];
    expect(
      brokerBanner(plain, { tls: undefined, plainOnLoopbackForTls: false }, interfaces),
    ).toEqual([
      'MQTT broker: mqtt://127.0.0.1:1883 (plain)',
      'MQTT broker: mqtt://10.77.0.1:1883 (plain)',
      'MQTT broker: mqtt://10.77.0.9:1883 (plain)',
    ]);
  });
});
