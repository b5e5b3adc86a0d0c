/**
 * Whether this node announces itself as a mesh gateway, and with which bandwidth: it announces
 * iff at least one of its WANs is usable, with the sum of the usable WANs' capacities, so a node
 * whose uplinks all died stops attracting the mesh's internet traffic.
 *
 * @example
 * const a = new GatewayAnnouncer({ node: 'n1' });
 * a.decide([{ wan: 'wan', usable: true, bandwidthDownKbit: 50_000, bandwidthUpKbit: 10_000 }], 0).announcement;
 * // { mode: 'server', bandwidthDownKbit: 50000, bandwidthUpKbit: 10000 }
 */
import { formatBandwidth } from '../../core/bandwidth.ts';
import type { MeshEvent } from '../../core/events.ts';

export interface WanCapacity {
  wan: string;
  usable: boolean;
  bandwidthDownKbit: number;
  bandwidthUpKbit: number;
}

export type Announcement =
  { mode: 'server'; bandwidthDownKbit: number; bandwidthUpKbit: number } | { mode: 'off' };

export function describeAnnouncement(a: Announcement | undefined): string | null {
  if (!a) return null;
  return a.mode === 'off'
    ? 'off'
    : `server ${formatBandwidth(a.bandwidthDownKbit, a.bandwidthUpKbit)}`;
}

export class GatewayAnnouncer {
  private readonly node: string;
  private current: Announcement | undefined;

  constructor(options: { node: string }) {
    this.node = options.node;
  }

  decide(
    wans: readonly WanCapacity[],
    now: number,
  ): { announcement: Announcement; events: MeshEvent[] } {
    const live = wans.filter((w) => w.usable);
    const next: Announcement =
      live.length === 0
        ? { mode: 'off' }
        : {
            mode: 'server',
            bandwidthDownKbit: live.reduce((s, w) => s + w.bandwidthDownKbit, 0),
            bandwidthUpKbit: live.reduce((s, w) => s + w.bandwidthUpKbit, 0),
          };
    const from = describeAnnouncement(this.current);
    const to = describeAnnouncement(next);
    this.current = next;
    const reason =
      live.length === 0
        ? `no usable WAN among ${wans.map((w) => w.wan).join(', ') || 'none'}`
        : `usable WANs: ${live.map((w) => w.wan).join(', ')}`;
    const events: MeshEvent[] =
      from === to
        ? []
        : [
            {
              at: now,
              node: this.node,
              kind: 'gateway-announce',
              subject: 'gw_mode',
              from,
              to,
              reason,
            },
          ];
    return { announcement: next, events };
  }
}
