/**
 * What the renderer and validator need to know about a supported board: DSA port names,
 * radio paths and the ImageBuilder target. Only the Banana Pi BPI-R3 so far.
 *
 * @example
 * boardOf('bpi-r3').lanPorts; // ['lan1', 'lan2', 'lan3', 'lan4', 'sfp2']
 */
import type { Band, SiteNode } from './site-schema.ts';

export interface Board {
  /** All DSA ports, in the order OpenWrt lists them. */
  ports: readonly string[];
  /** Ports that are LAN by default (the `wan` and `sfp1` ports are uplinks by default). */
  lanPorts: readonly string[];
  radios: Readonly<Record<Band, { section: string; path: string }>>;
  imageProfile: string;
  imageTarget: string;
}

const bpiR3: Board = {
  ports: ['wan', 'lan1', 'lan2', 'lan3', 'lan4', 'sfp1', 'sfp2'],
  lanPorts: ['lan1', 'lan2', 'lan3', 'lan4', 'sfp2'],
  radios: {
    '2g': { section: 'radio0', path: 'platform/soc/18000000.wifi' },
    '5g': { section: 'radio1', path: 'platform/soc/18000000.wifi+1' },
  },
  imageProfile: 'bananapi_bpi-r3',
  imageTarget: 'mediatek/filogic',
};

const boards: Record<SiteNode['model'], Board> = { 'bpi-r3': bpiR3 };

export function boardOf(model: SiteNode['model']): Board {
  return boards[model];
}
