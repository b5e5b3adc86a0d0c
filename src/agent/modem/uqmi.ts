/**
 * QMI modems through OpenWrt's `uqmi`: argv builders and parsers for its JSON output.
 *
 * @example
 * uqmiCommand('/dev/cdc-wdm0', { kind: 'connect' }, { apn: 'internet' });
 * // ['uqmi', '-d', '/dev/cdc-wdm0', '--start-network', 'internet', '--autoconnect']
 * parseUqmiSignal('{"type":"lte","rssi":-67,"rsrq":-9,"rsrp":-95,"snr":10.2}').rsrpDbm; // -95
 */
import { z } from 'zod';
import type { DialCommand } from './modem-dialer.ts';
import { parseJsonWith } from './parse-json.ts';
import type { SignalMetrics } from './signal.ts';

export function uqmiCommand(
  device: string,
  command: DialCommand,
  connect: { apn: string },
): string[] {
  if (!/^\/dev\/[A-Za-z0-9_-]+$/.test(device))
    throw new RangeError(`'${device}' is not a /dev control device`);
  const d = ['uqmi', '-d', device];
  switch (command.kind) {
    case 'register':
      return [...d, '--network-register'];
    case 'connect':
      if (!/^[A-Za-z0-9.-]{1,100}$/.test(connect.apn))
        throw new RangeError(`APN '${connect.apn}' has characters uqmi cannot take`);
      return [...d, '--start-network', connect.apn, '--autoconnect'];
    case 'disconnect':
      return [...d, '--stop-network', '0xffffffff', '--autoconnect'];
  }
}

export const uqmiQueries = {
  signal: (device: string) => ['uqmi', '-d', device, '--get-signal-info'],
  servingSystem: (device: string) => ['uqmi', '-d', device, '--get-serving-system'],
  dataStatus: (device: string) => ['uqmi', '-d', device, '--get-data-status'],
};

// Field names and shapes as uqmi's commands-nas.c prints them (cmd_nas_get_signal_info_cb,
// https://git.openwrt.org/?p=project/uqmi.git;a=blob;f=commands-nas.c): one object per call, its
// `type` the radio; with 5G NSA (EN-DC) an array of two objects, LTE then `5gnr`. Older uqmi
// printed the LTE SNR as QMI's raw integer in tenths of a dB (as the dd-wrt copy still does:
// https://github.com/mirror/dd-wrt/blob/master/src/router/uqmi/commands-nas.c).
const rat = z.looseObject({
  type: z.string(),
  rssi: z.number().optional(),
  rsrq: z.number().optional(),
  rsrp: z.number().optional(),
  snr: z.number().optional(),
});
const signalSchema = z.union([rat, z.array(rat).min(1)]);

/** A whole-number LTE SNR beyond what radios report in dB is the old raw value in tenths. */
function snrDb(snr: number | undefined): number | null {
  if (snr === undefined) return null;
  return Number.isInteger(snr) && Math.abs(snr) > 40 ? snr / 10 : snr;
}

/**
 * `uqmi --get-signal-info`: the LTE figures when LTE is among the radios (EN-DC prints LTE and
 * 5G NR), else the first radio's; `types` lists every radio reported.
 */
export function parseUqmiSignal(text: string): SignalMetrics & { type: string; types: string[] } {
  const parsed = parseJsonWith('uqmi --get-signal-info', text, signalSchema);
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const s = all.find((r) => r.type === 'lte') ?? all[0]!;
  return {
    type: s.type,
    types: all.map((r) => r.type),
    rssiDbm: s.rssi ?? null,
    rsrpDbm: s.rsrp ?? null,
    rsrqDb: s.rsrq ?? null,
    sinrDb: snrDb(s.snr),
  };
}

const servingSchema = z.looseObject({
  registration: z.string(),
  plmn_description: z.string().optional(),
  roaming: z.boolean().optional(),
});

export function parseUqmiServingSystem(text: string): {
  registered: boolean;
  registration: string;
  operator: string | null;
  roaming: boolean;
} {
  const s = parseJsonWith('uqmi --get-serving-system', text, servingSchema);
  return {
    registered: s.registration === 'registered',
    registration: s.registration,
    operator: s.plmn_description ?? null,
    roaming: s.roaming ?? false,
  };
}

/** `--get-data-status` prints a JSON string: "connected" or "disconnected". */
export function parseUqmiDataStatus(text: string): boolean {
  return (
    parseJsonWith('uqmi --get-data-status', text, z.enum(['connected', 'disconnected'])) ===
    'connected'
  );
}
