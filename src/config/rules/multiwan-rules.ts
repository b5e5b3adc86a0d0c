/**
 * Multi-WAN rules: members name existing WANs, policies name existing members, rules name
 * existing policies, with valid addresses and ports.
 *
 * @example
 * checkMultiwan(site, out);
 */
import { parseCidr, parseIpv4 } from '../ipv4.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { checkTrack } from './rule-helpers.ts';

export function checkMultiwan(site: Site, out: SiteIssue[]): void {
  const mw = site.multiwan;
  const wanNames = new Set(site.nodes.flatMap((n) => n.wans.map((w) => w.name)));
  const memberNames = new Set(mw.members.map((m) => m.name));
  const policyNames = new Set(mw.policies.map((p) => p.name));
  if (mw.track.targets && mw.track.reliability !== undefined) {
    checkTrack(mw.track.targets, mw.track.reliability, ['multiwan', 'track'], out);
  }
  // Members, policies, rules and the WAN interfaces are all sections of the one mwan3 file.
  const taken = new Map<string, string>([['globals', 'the mwan3 globals']]);
  for (const w of wanNames) taken.set(w, `the interface of WAN '${w}'`);
  const named: [string, readonly { name: string }[]][] = [
    ['members', mw.members],
    ['policies', mw.policies],
    ['rules', mw.rules],
  ];
  for (const [kind, items] of named) {
    items.forEach((x, i) => {
      const prior = taken.get(x.name);
      if (prior) {
        out.push(
          issue(['multiwan', kind, i, 'name'], 'name-unique', `'${x.name}' is already ${prior}`),
        );
      } else taken.set(x.name, `${kind}[${i}]`);
    });
  }
  mw.members.forEach((m, i) => {
    if (!wanNames.has(m.wan)) {
      out.push(
        issue(['multiwan', 'members', i, 'wan'], 'reference', `no node has a WAN '${m.wan}'`),
      );
    }
  });
  mw.policies.forEach((p, i) => {
    p.members.forEach((name, j) => {
      if (!memberNames.has(name)) {
        out.push(
          issue(
            ['multiwan', 'policies', i, 'members', j],
            'reference',
            `member '${name}' is not defined`,
          ),
        );
      }
    });
  });
  mw.rules.forEach((r, i) => {
    const path: PathSegment[] = ['multiwan', 'rules', i];
    if (!policyNames.has(r.policy)) {
      out.push(issue([...path, 'policy'], 'reference', `policy '${r.policy}' is not defined`));
    }
    if ((r.srcPort || r.destPort) && r.proto !== 'tcp' && r.proto !== 'udp') {
      out.push(issue(path, 'rule-port-proto', 'ports need proto tcp or udp'));
    }
    for (const field of ['srcIp', 'destIp'] as const) {
      const v = r[field];
      if (v !== undefined && parseIpv4(v) === undefined && !parseCidr(v)) {
        out.push(
          issue([...path, field], 'address-format', `'${v}' is not an IPv4 address or network`),
        );
      }
    }
    for (const field of ['srcPort', 'destPort'] as const) {
      const v = r[field];
      if (v !== undefined && !/^\d{1,5}([-:]\d{1,5})?(,\d{1,5}([-:]\d{1,5})?)*$/.test(v)) {
        out.push(issue([...path, field], 'port-format', `'${v}' is not a port, range or list`));
      }
    }
    // The node agent, not mwan3, enforces the policy on the routers: what it cannot match is refused.
    if (r.srcPort !== undefined) {
      out.push(
        issue([...path, 'srcPort'], 'agent-match', 'the node agent does not match source ports'),
      );
    }
    if (r.destPort !== undefined && /^\d{1,5}$/.test(r.destPort)) {
      if (Number(r.destPort) < 1 || Number(r.destPort) > 65_535)
        out.push(issue([...path, 'destPort'], 'port-format', `${r.destPort} is not 1..65535`));
    } else if (r.destPort !== undefined) {
      out.push(
        issue(
          [...path, 'destPort'],
          'agent-match',
          `the node agent matches one destination port per rule: give '${r.destPort}' a rule per port`,
        ),
      );
    }
  });
}
