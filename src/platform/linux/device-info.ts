/**
 * What a Linux or OpenWrt node says it is in its state (`ip`, `mac`, `model`): the board model
 * as OpenWrt names it (/tmp/sysinfo/model), else the device tree's or the DMI product name; the
 * IPv4 address and MAC of the LAN bridge (`br-lan` on OpenWrt), else of the first interface
 * that is up, not loopback, and has an IPv4 address. Read once at start; whatever cannot be
 * read is left out, so the state still validates.
 *
 * @example
 * await readDeviceInfo(); // { ip: '192.168.1.1', mac: 'aa:bb:cc:00:11:22', model: 'GL.iNet GL-X3000' }
 */
import { readFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface DeviceInfo {
  ip?: string;
  mac?: string;
  model?: string;
}

export interface DeviceInfoSources {
  readText: (path: string) => Promise<string>;
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

const MODEL_FILES = [
  '/tmp/sysinfo/model',
  '/sys/firmware/devicetree/base/model',
  '/sys/class/dmi/id/product_name',
];
const LAN_FIRST = ['br-lan', 'lan'];
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

const defaults: DeviceInfoSources = {
  readText: (path) => readFile(path, 'utf8'),
  interfaces: networkInterfaces,
};

export async function readDeviceInfo(sources: DeviceInfoSources = defaults): Promise<DeviceInfo> {
  const info: DeviceInfo = {};
  for (const path of MODEL_FILES) {
    // Device-tree strings end in NUL; DMI may say nothing useful.
    const text = await sources.readText(path).then(
      (t) => t.replace(/\0/g, '').trim().slice(0, 128),
      () => '',
    );
    if (text && !/^(to be filled|default string|system product name)/i.test(text)) {
      info.model = text;
      break;
    }
  }
  const all = sources.interfaces();
  const names = Object.keys(all).sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b, undefined, { numeric: true }),
  );
  for (const name of names) {
    const v4 = (all[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (!v4) continue;
    info.ip = v4.address;
    const mac = v4.mac.toLowerCase();
    if (MAC.test(mac) && mac !== '00:00:00:00:00:00') info.mac = mac;
    break;
  }
  return info;
}

function rank(name: string): number {
  const i = LAN_FIRST.indexOf(name);
  return i < 0 ? LAN_FIRST.length : i;
}
