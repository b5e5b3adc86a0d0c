/**
 * `/etc/config/system`: the node's hostname (its id) and time zone, so logs and the dashboard
 * name the same node.
 *
 * @example
 * serializeUci(renderSystem(nodeContext(site, 'gw1')));
 */
import { uciPackage, uciSection, type UciPackage } from '../uci/uci-model.ts';
import type { NodeContext } from './node-context.ts';

export function renderSystem(ctx: NodeContext): UciPackage {
  return uciPackage([
    uciSection('system', undefined, {
      hostname: ctx.node.id,
      timezone: ctx.site.timezone,
      log_size: 128,
      ttylogin: false,
    }),
    uciSection('timeserver', 'ntp', {
      enabled: true,
      enable_server: false,
      server: ['0.openwrt.pool.ntp.org', '1.openwrt.pool.ntp.org'],
    }),
  ]);
}
