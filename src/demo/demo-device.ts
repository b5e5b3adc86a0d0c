/**
 * What each simulated node says it is, for the dashboard's inventory: a management address in
 * the demo's 10.42.0.0/16, its mesh MAC (the one batman-adv shows), and a board model a site like
 * this would plausibly use: an LTE router where the node has a modem, a wired router for the
 * other gateways, outdoor access points for the mesh.
 *
 * @example
 * demoDevice(7, [{ kind: 'modem', ... }]); // { ip: '10.42.0.7', mac: '02:00:00:00:00:07', model: 'GL.iNet GL-X3000' }
 */
import { addressToMac } from '../routing/address.ts';
import type { DemoWan } from './demo-scenario.ts';

export interface DemoDevice {
  ip: string;
  mac: string;
  model: string;
}

const MESH_MODELS = ['TP-Link EAP225-Outdoor v3', 'Ubiquiti UniFi AC Mesh'] as const;

export function demoDevice(address: number, wans: readonly DemoWan[]): DemoDevice {
  const model =
    wans.length === 0
      ? MESH_MODELS[address % MESH_MODELS.length]!
      : wans.some((w) => w.kind === 'modem')
        ? 'GL.iNet GL-X3000'
        : 'Ubiquiti EdgeRouter X';
  return {
    ip: `10.42.${(address >> 8) & 0xff}.${address & 0xff}`,
    mac: addressToMac(address),
    model,
  };
}
