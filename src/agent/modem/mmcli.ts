/**
 * ModemManager through `mmcli`: argv builders for the dial commands and parsers for its JSON
 * output (`-J`). mmcli prints every value as a string and "--" for "unknown".
 *
 * @example
 * mmcliCommand(0, { kind: 'connect' }, { apn: 'internet' });
 * // ['mmcli', '-m', '0', '--simple-connect=apn=internet,ip-type=ipv4v6']
 * parseMmcliModem(stdout).registered; // true when 3GPP registration is home or roaming
 */
import { z } from 'zod';
import type { DialCommand } from './modem-dialer.ts';
import { parseJsonWith } from './parse-json.ts';
import type { SignalMetrics } from './signal.ts';

export interface MmcliConnectOptions {
  apn: string;
  /** @default 'ipv4v6' */
  ipType?: 'ipv4' | 'ipv6' | 'ipv4v6';
}

export function mmcliCommand(
  modem: number,
  command: DialCommand,
  connect: MmcliConnectOptions,
): string[] {
  const m = ['mmcli', '-m', String(modem)];
  switch (command.kind) {
    case 'register':
      return [...m, '--enable'];
    case 'connect':
      if (!/^[A-Za-z0-9.-]{1,100}$/.test(connect.apn))
        throw new RangeError(`APN '${connect.apn}' has characters mmcli cannot take`);
      return [...m, `--simple-connect=apn=${connect.apn},ip-type=${connect.ipType ?? 'ipv4v6'}`];
    case 'disconnect':
      return [...m, '--simple-disconnect'];
  }
}

/** Status and signal queries; `--signal-setup` must have run once for `--signal-get` to fill in. */
export const mmcliQueries = {
  status: (modem: number) => ['mmcli', '-m', String(modem), '-J'],
  signalSetup: (modem: number, rateS: number) => [
    'mmcli',
    '-m',
    String(modem),
    `--signal-setup=${rateS}`,
  ],
  signal: (modem: number) => ['mmcli', '-m', String(modem), '--signal-get', '-J'],
};

const modemSchema = z.object({
  modem: z.object({
    generic: z.looseObject({
      state: z.string(),
      'state-failed-reason': z.string().optional(),
      'access-technologies': z.array(z.string()).default([]),
      'signal-quality': z.looseObject({ value: z.string() }).optional(),
    }),
    '3gpp': z
      .looseObject({
        'registration-state': z.string().optional(),
        'operator-name': z.string().optional(),
      })
      .optional(),
  }),
});

export interface MmcliModemStatus {
  /** ModemManager's state: disabled, enabling, searching, registered, connecting, connected, failed... */
  state: string;
  registered: boolean;
  connected: boolean;
  registration: string | null;
  operator: string | null;
  accessTech: string[];
  /** ModemManager's 0..100 signal quality, null when unknown. */
  signalQualityPct: number | null;
  failedReason: string | null;
}

const known = (v: string | undefined): string | null =>
  v === undefined || v === '--' || v === '' ? null : v;

export function parseMmcliModem(text: string): MmcliModemStatus {
  const { generic, '3gpp': gpp } = parseJsonWith('mmcli modem', text, modemSchema).modem;
  const registration = known(gpp?.['registration-state']);
  const quality = known(generic['signal-quality']?.value);
  return {
    state: generic.state,
    registered:
      registration === 'home' ||
      registration === 'roaming' ||
      ['registered', 'connecting', 'connected'].includes(generic.state),
    connected: generic.state === 'connected',
    registration,
    operator: known(gpp?.['operator-name']),
    accessTech: generic['access-technologies'],
    signalQualityPct: quality === null || Number.isNaN(Number(quality)) ? null : Number(quality),
    failedReason: known(generic['state-failed-reason']),
  };
}

const num = z.string().optional();
const signalSchema = z.object({
  modem: z.object({
    signal: z.looseObject({
      lte: z.looseObject({ rssi: num, rsrp: num, rsrq: num, snr: num }).optional(),
    }),
  }),
});

const dbValue = (v: string | undefined): number | null => {
  const k = known(v);
  if (k === null) return null;
  const n = Number(k);
  return Number.isFinite(n) ? n : null;
};

/** `mmcli --signal-get -J`: the LTE block; absent or "--" values are null. */
export function parseMmcliSignal(text: string): SignalMetrics {
  const lte = parseJsonWith('mmcli signal', text, signalSchema).modem.signal.lte;
  return {
    rssiDbm: dbValue(lte?.rssi),
    rsrpDbm: dbValue(lte?.rsrp),
    rsrqDb: dbValue(lte?.rsrq),
    sinrDb: dbValue(lte?.snr),
  };
}
