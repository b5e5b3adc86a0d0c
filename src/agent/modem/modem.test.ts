import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import { mmcliCommand, parseMmcliModem, parseMmcliSignal } from './mmcli.ts';
import { ModemDialer } from './modem-dialer.ts';
import { signalGrade } from './signal.ts';
import {
  parseUqmiDataStatus,
  parseUqmiServingSystem,
  parseUqmiSignal,
  uqmiCommand,
} from './uqmi.ts';

// mmcli fixtures: written by us in the layout ModemManager 1.20+ prints for `mmcli -m 0 -J` and
// `--signal-get -J`; identifiers anonymised, not captured from a modem. The modem shape was
// checked against a real `mmcli --output-json -m …` posted in
// https://github.com/openwisp/openwrt-openwisp-monitoring/pull/26 (every value a string, "--" for
// unknown, access-technologies an array, current-capabilities one comma-joined string in an
// array, signal-quality {recent, value}). No captured --signal-get JSON was found. uqmi lines:
// the JSON uqmi's commands-nas.c prints (see uqmi.ts), not captured either.
const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/agent/fixtures/${name}`, import.meta.url), 'utf8');

describe('ModemDialer', () => {
  const dialer = (seed = 1) =>
    new ModemDialer({
      node: 'n1',
      wan: 'lte',
      random: seededRandom(seed),
      backoffBaseMs: 1000,
      backoffMaxMs: 8000,
      maxAttempts: 4,
      failedCooldownMs: 60_000,
      registerTimeoutMs: 10_000,
      connectTimeoutMs: 5_000,
    });

  it('dials: registering -> connecting -> connected', () => {
    const d = dialer();
    expect(d.start(0).commands).toEqual([{ kind: 'register' }]);
    expect(d.onRegistration(true, 'home', 1500).commands).toEqual([{ kind: 'connect' }]);
    const up = d.onConnectResult(true, 'bearer 1', 3000);
    expect(d.state).toBe('connected');
    expect(up.events[0]).toMatchObject({
      kind: 'modem-state',
      subject: 'lte',
      from: 'connecting',
      to: 'connected',
    });
    expect(d.nextWakeAt()).toBeUndefined();
  });

  it('retries with growing jittered backoff, then fails and cools down', () => {
    const d = dialer(7);
    d.start(0);
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 3; i++) {
      now = d.nextWakeAt()!;
      const out = d.tick(now); // registration timeout
      expect(d.state).toBe('backoff');
      waits.push(d.nextWakeAt()! - now);
      expect(out.events[0]!.reason).toMatch(/not registered within 10000 ms; retry in \d+ ms/);
      now = d.nextWakeAt()!;
      expect(d.tick(now).commands).toEqual([{ kind: 'register' }]);
    }
    // Base 1000 doubling, each within ±50 %.
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(500 * 2 ** i);
      expect(w).toBeLessThanOrEqual(1500 * 2 ** i);
    });
    now = d.nextWakeAt()!;
    const failed = d.tick(now);
    expect(d.state).toBe('failed');
    expect(failed.events[0]!.reason).toContain('4 failures in a row');
    expect(d.nextWakeAt()).toBe(now + 60_000);
    expect(d.tick(now + 60_000).commands).toEqual([{ kind: 'register' }]);
    expect(d.failures).toBe(0);
  });

  it('replays the same backoff for the same seed and differs for another', () => {
    const seq = (seed: number) => [1, 2, 3, 4, 5].map((a) => dialer(seed).backoffMs(a));
    expect(seq(3)).toEqual(seq(3));
    expect(seq(3)).not.toEqual(seq(4));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        (a, seed) => dialer(seed).backoffMs(a) <= 12_000,
      ),
    );
  });

  it('a lost session disconnects nothing extra and redials after backoff', () => {
    const d = dialer();
    d.start(0);
    d.onRegistration(true, 'home', 10);
    d.onConnectResult(true, 'ok', 20);
    const lost = d.onRegistration(false, 'searching', 100);
    expect(lost.commands).toEqual([{ kind: 'disconnect' }]);
    expect(d.state).toBe('backoff');
    expect(d.stop(200).commands).toEqual([]);
    expect(d.state).toBe('idle');
  });

  it('rejects bad options', () => {
    expect(
      () => new ModemDialer({ node: 'n', wan: 'l', random: seededRandom(1), maxAttempts: 0 }),
    ).toThrow(expect.objectContaining({ name: 'ModemConfigError' }));
  });
});

describe('mmcli', () => {
  it('parses a connected modem', () => {
    expect(parseMmcliModem(fixture('mmcli-modem.json'))).toEqual({
      state: 'connected',
      registered: true,
      connected: true,
      registration: 'home',
      operator: 'Telekom.de',
      accessTech: ['lte'],
      signalQualityPct: 70,
      failedReason: null,
    });
    expect(parseMmcliModem(fixture('mmcli-modem-searching.json'))).toMatchObject({
      registered: false,
      connected: false,
      operator: null,
    });
  });

  it('parses LTE signal with "--" as unknown', () => {
    const s = parseMmcliSignal(fixture('mmcli-signal.json'));
    expect(s).toEqual({ rssiDbm: -67, rsrpDbm: -97, rsrqDb: -11, sinrDb: 8.6 });
    expect(signalGrade(s)).toBe('fair');
    expect(signalGrade({ rssiDbm: null, rsrpDbm: -75, rsrqDb: null, sinrDb: -2 })).toBe('poor');
    expect(signalGrade({ rssiDbm: null, rsrpDbm: null, rsrqDb: null, sinrDb: null })).toBe(
      'unknown',
    );
  });

  it('builds commands and refuses APNs that would inject options', () => {
    expect(mmcliCommand(0, { kind: 'connect' }, { apn: 'internet.telekom' })).toEqual([
      'mmcli',
      '-m',
      '0',
      '--simple-connect=apn=internet.telekom,ip-type=ipv4v6',
    ]);
    expect(() => mmcliCommand(0, { kind: 'connect' }, { apn: 'x,user=evil' })).toThrow(RangeError);
  });

  it('names the field of malformed output', () => {
    expect(() => parseMmcliModem('{"modem":{"generic":{}}}')).toThrow(
      expect.objectContaining({ name: 'ModemOutputError', where: 'modem.generic.state' }),
    );
  });
});

describe('uqmi', () => {
  it('parses signal, serving system and data status', () => {
    expect(parseUqmiSignal('{"type":"lte","rssi":-67,"rsrq":-9,"rsrp":-95,"snr":10.2}')).toEqual({
      type: 'lte',
      types: ['lte'],
      rssiDbm: -67,
      rsrpDbm: -95,
      rsrqDb: -9,
      sinrDb: 10.2,
    });
    expect(
      parseUqmiServingSystem(
        '{"registration":"registered","plmn_mcc":262,"plmn_mnc":1,"plmn_description":"Telekom.de","roaming":false}',
      ),
    ).toEqual({
      registered: true,
      registration: 'registered',
      operator: 'Telekom.de',
      roaming: false,
    });
    expect(parseUqmiDataStatus('"connected"\n')).toBe(true);
    expect(parseUqmiDataStatus('"disconnected"')).toBe(false);
    expect(() => parseUqmiDataStatus('"maybe"')).toThrow(
      expect.objectContaining({ name: 'ModemOutputError' }),
    );
  });

  // Shapes from uqmi's commands-nas.c (see uqmi.ts), not captured from a modem.
  it('reads the LTE entry of a 5G NSA pair, and the old tenths-of-a-dB SNR', () => {
    const endc = parseUqmiSignal(
      '[{"type":"lte","rssi":-58,"rsrq":-12,"rsrp":-88,"snr":13.6},{"type":"5gnr","rsrp":-79,"snr":21.5,"rsrq":-11}]',
    );
    expect(endc).toMatchObject({ type: 'lte', types: ['lte', '5gnr'], rsrpDbm: -88, sinrDb: 13.6 });
    expect(
      parseUqmiSignal('{"type":"lte","rssi":-70,"rsrq":-10,"rsrp":-101,"snr":86}').sinrDb,
    ).toBe(8.6);
    expect(parseUqmiSignal('{"type":"5gnr","rsrp":-95,"snr":7.5}')).toMatchObject({
      type: '5gnr',
      rssiDbm: null,
      rsrpDbm: -95,
    });
    expect(() => parseUqmiSignal('[]')).toThrow(
      expect.objectContaining({ name: 'ModemOutputError' }),
    );
  });

  it('builds commands', () => {
    expect(uqmiCommand('/dev/cdc-wdm0', { kind: 'connect' }, { apn: 'internet' })).toEqual([
      'uqmi',
      '-d',
      '/dev/cdc-wdm0',
      '--start-network',
      'internet',
      '--autoconnect',
    ]);
    expect(() => uqmiCommand('/dev/../etc', { kind: 'register' }, { apn: 'x' })).toThrow(
      RangeError,
    );
  });

  it('parsers throw only ModemOutputError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const parse of [
          parseUqmiSignal,
          parseUqmiServingSystem,
          parseUqmiDataStatus,
          parseMmcliModem,
          parseMmcliSignal,
        ]) {
          try {
            parse(text);
          } catch (e) {
            if ((e as Error).name !== 'ModemOutputError') return false;
          }
        }
        return true;
      }),
    );
  });
});
