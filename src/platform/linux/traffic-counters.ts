/**
 * Byte counters of network devices, from `/sys/class/net/<dev>/statistics/{rx,tx}_bytes`: what
 * the dashboard turns into traffic charts. Inside a network namespace `/sys/class/net` only shows
 * that namespace's devices once sysfs is remounted there, which `ip netns exec` does, so the
 * counters are read through one `grep` in the namespace; on the host they are read directly.
 *
 * @example
 * const read = trafficCounters({ netns: 'node1' });
 * await read(['wan1', 'wan2']); // Map { 'wan1' => { rxBytes: 1234, txBytes: 987 }, ... }
 */
import { readFile } from 'node:fs/promises';
import type { DeviceCounters } from '../platform.ts';
import { commandRunner, type CommandRunner } from './command-runner.ts';

export type TrafficCounterReader = (devices: string[]) => Promise<Map<string, DeviceCounters>>;

/** A kernel interface name: at most 15 bytes, no slash or whitespace (and never `.`/`..`). */
const IFNAME = /^(?!\.\.?$)[^/\s]{1,15}$/;

const SYS = '/sys/class/net';

function counterFiles(devices: string[]): string[] {
  return devices
    .filter((d) => IFNAME.test(d))
    .flatMap((d) => [`${SYS}/${d}/statistics/rx_bytes`, `${SYS}/${d}/statistics/tx_bytes`]);
}

/** Parses `grep -H . FILE…` lines (`/sys/class/net/wan1/statistics/rx_bytes:1234`). */
export function parseCounterLines(text: string): Map<string, DeviceCounters> {
  const raw = new Map<string, Partial<DeviceCounters>>();
  for (const line of text.split('\n')) {
    const m = /^\/sys\/class\/net\/([^/]+)\/statistics\/(rx|tx)_bytes:(\d+)$/.exec(line.trim());
    if (!m) continue;
    const entry = raw.get(m[1]!) ?? {};
    entry[m[2] === 'rx' ? 'rxBytes' : 'txBytes'] = Number(m[3]);
    raw.set(m[1]!, entry);
  }
  const out = new Map<string, DeviceCounters>();
  for (const [dev, c] of raw) {
    if (c.rxBytes !== undefined && c.txBytes !== undefined)
      out.set(dev, { rxBytes: c.rxBytes, txBytes: c.txBytes });
  }
  return out;
}

/**
 * A reader of device counters; a device that is missing (unplugged modem, wrong name) is left
 * out of the result rather than failing the others.
 */
export function trafficCounters(
  options: { netns?: string | undefined; run?: CommandRunner } = {},
): TrafficCounterReader {
  if (options.netns !== undefined || options.run !== undefined) {
    const run = options.run ?? commandRunner({ netns: options.netns });
    return async (devices) => {
      const files = counterFiles(devices);
      if (files.length === 0) return new Map();
      const { stdout } = await run(['grep', '-H', '.', ...files], { allowFailure: true });
      return parseCounterLines(stdout);
    };
  }
  return async (devices) => {
    const lines = await Promise.all(
      counterFiles(devices).map(async (f) => {
        try {
          return `${f}:${(await readFile(f, 'utf8')).trim()}`;
        } catch {
          return '';
        }
      }),
    );
    return parseCounterLines(lines.join('\n'));
  };
}
