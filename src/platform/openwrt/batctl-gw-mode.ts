/**
 * `batctl gw_mode` on OpenWrt with kernel batman-adv: parse what it prints and build the command
 * that applies a gateway announcement (server with bandwidth) or client mode (selection class).
 * batctl prints bandwidth in MBit with one decimal; the kernel keeps it in 100 kbit/s steps.
 *
 * @example
 * parseGwMode('server (announced bw: 50.0/10.0 MBit)'); // { mode: 'server', bandwidthDownKbit: 50000, bandwidthUpKbit: 10000 }
 * gwModeCommand('bat0', { mode: 'server', bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 });
 * // ['batctl', 'meshif', 'bat0', 'gw_mode', 'server', '50000kbit/10000kbit']
 */
import type { Announcement } from '../../agent/policy/gateway-announce.ts';
import { PlatformConfigError } from '../errors.ts';

export type GwMode = Announcement | { mode: 'client'; selClass: number };

/** Output of an OpenWrt command that does not have the expected shape. */
export class OpenWrtOutputError extends PlatformConfigError {}

export function parseGwMode(text: string): GwMode {
  const line = text.trim();
  if (line === 'off') return { mode: 'off' };
  const client = /^client \(selection class: (\d+)(?:\.\d)?(?: MBit)?\)$/.exec(line);
  if (client) return { mode: 'client', selClass: Number(client[1]) };
  const server = /^server \(announced bw: (\d+)\.(\d)\/(\d+)\.(\d) MBit\)$/.exec(line);
  if (server) {
    const kbit = (whole: string, tenth: string) => Number(whole) * 1000 + Number(tenth) * 100;
    return {
      mode: 'server',
      bandwidthDownKbit: kbit(server[1]!, server[2]!),
      bandwidthUpKbit: kbit(server[3]!, server[4]!),
    };
  }
  throw new OpenWrtOutputError(
    `batctl gw_mode printed '${line.slice(0, 80)}', not off/client/server`,
  );
}

export function gwModeCommand(meshIf: string, mode: GwMode): string[] {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(meshIf))
    throw new PlatformConfigError(`mesh interface '${meshIf}' is not an interface name`);
  const base = ['batctl', 'meshif', meshIf, 'gw_mode'];
  if (mode.mode === 'off') return [...base, 'off'];
  if (mode.mode === 'client') {
    // 1..255 under B.A.T.M.A.N. IV; B.A.T.M.A.N. V takes a throughput threshold (kbit/s).
    if (!Number.isInteger(mode.selClass) || mode.selClass < 1 || mode.selClass > 1_000_000)
      throw new PlatformConfigError(`gw selection class ${mode.selClass} is outside 1..1000000`);
    return [...base, 'client', String(mode.selClass)];
  }
  for (const v of [mode.bandwidthDownKbit, mode.bandwidthUpKbit]) {
    if (!Number.isInteger(v) || v < 100)
      throw new PlatformConfigError(`announced bandwidth ${v} kbit/s must be an integer >= 100`);
  }
  return [...base, 'server', `${mode.bandwidthDownKbit}kbit/${mode.bandwidthUpKbit}kbit`];
}
