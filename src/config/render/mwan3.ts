/**
 * `/etc/config/mwan3`: for this node's WANs, the tracked interfaces (targets, reliability,
 * intervals, up/down thresholds), the members, the policies (only members this node has) and
 * every rule. A node without WANs gets just the globals, so the installed package stays idle.
 *
 * @example
 * serializeUci(renderMwan3(nodeContext(site, 'gw1')));
 */
import { trackOf } from '../site-schema.ts';
import { uciPackage, uciSection, type UciPackage, type UciSection } from '../uci/uci-model.ts';
import type { NodeContext } from './node-context.ts';

export function renderMwan3(ctx: NodeContext): UciPackage {
  const { site, node } = ctx;
  const sections: UciSection[] = [
    uciSection('globals', 'globals', { mmx_mask: '0x3F00', logging: false }),
  ];
  if (node.wans.length === 0) return uciPackage(sections);
  for (const w of node.wans) {
    const t = trackOf(site, w);
    sections.push(
      uciSection('interface', w.name, {
        enabled: true,
        initial_state: 'online',
        family: 'ipv4',
        track_method: 'ping',
        track_ip: t.targets,
        reliability: t.reliability,
        count: t.count,
        timeout: t.timeout,
        interval: t.interval,
        failure_interval: t.failureInterval,
        recovery_interval: t.recoveryInterval,
        down: t.down,
        up: t.up,
      }),
    );
  }
  const mine = new Set(node.wans.map((w) => w.name));
  const members = site.multiwan.members.filter((m) => mine.has(m.wan));
  const memberNames = new Set(members.map((m) => m.name));
  for (const m of members) {
    sections.push(
      uciSection('member', m.name, { interface: m.wan, metric: m.metric, weight: m.weight }),
    );
  }
  for (const p of site.multiwan.policies) {
    sections.push(
      uciSection('policy', p.name, {
        use_member: p.members.filter((m) => memberNames.has(m)),
        last_resort: p.lastResort,
      }),
    );
  }
  for (const r of site.multiwan.rules) {
    sections.push(
      uciSection('rule', r.name, {
        family: 'ipv4',
        src_ip: r.srcIp,
        dest_ip: r.destIp,
        proto: r.proto,
        src_port: r.srcPort,
        dest_port: r.destPort,
        sticky: r.sticky,
        timeout: r.timeout,
        use_policy: r.policy,
      }),
    );
  }
  return uciPackage(sections);
}
