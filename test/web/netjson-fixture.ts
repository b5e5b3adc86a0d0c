/**
 * Builds the NetJSON NetworkGraph the controller serves from a terse list, for the dashboard's
 * topology tests: nodes mesh and online unless said otherwise, links as [a, b, TQ].
 *
 * @example
 * netjson([{ id: 'g', role: 'gateway', at: [0, 0] }, { id: 'm', via: 'g' }], [['g', 'm', 230]]);
 */
import type { NetworkGraph } from '../../web/src/api/types.ts';

export interface FixtureNode {
  id: string;
  /** Plan coordinates; none means no location. */
  at?: [number, number];
  role?: string;
  online?: boolean;
  /** @default role === 'gateway' */
  gateway?: boolean;
  /** The gateway this node selected. */
  via?: string;
}

export function netjson(nodes: FixtureNode[], links: [string, string, number][]): NetworkGraph {
  return {
    type: 'NetworkGraph',
    label: 'lab',
    nodes: nodes.map((n) => ({
      id: n.id,
      label: n.id,
      properties: {
        online: n.online ?? true,
        role: n.role ?? 'mesh',
        gateway: n.gateway ?? n.role === 'gateway',
        selected_gateway: n.via ?? null,
        ...(n.at ? { x_m: n.at[0], y_m: n.at[1] } : {}),
      },
    })),
    links: links.map(([source, target, tq]) => ({
      source,
      target,
      cost: 255 / tq,
      properties: { tq },
    })),
  };
}
