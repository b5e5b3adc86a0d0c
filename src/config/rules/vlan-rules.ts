/**
 * VLAN rules: unique ids and names, subnets that parse and do not overlap, DHCP pools and node
 * addresses that fit, forwardings and switch ports that make sense.
 *
 * @example
 * checkVlans(site, out);
 */
import { boardOf } from '../board.ts';
import { hostFits, overlaps, parseCidr, type Cidr } from '../ipv4.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { reservedReason, unique } from './rule-helpers.ts';

export function checkVlans(site: Site, out: SiteIssue[]): void {
  const vlans = site.vlans;
  unique(
    vlans,
    (v) => v.id,
    (i) => ['vlans', i, 'id'],
    'vlan-id-unique',
    'VLAN id',
    out,
  );
  unique(
    vlans,
    (v) => v.name,
    (i) => ['vlans', i, 'name'],
    'name-unique',
    'VLAN name',
    out,
  );
  const names = new Set(vlans.map((v) => v.name));
  const cidrs: (Cidr | undefined)[] = vlans.map((v) => parseCidr(v.subnet));
  const gateways = site.nodes.filter((n) => n.role === 'gateway').length;
  const lanPorts = new Set(boardOf('bpi-r3').lanPorts);
  const untaggedBy = new Map<string, number>();
  vlans.forEach((v, i) => {
    const reserved = reservedReason(v.name);
    if (reserved) out.push(issue(['vlans', i, 'name'], 'name-reserved', reserved));
    const c = cidrs[i];
    if (!c) {
      out.push(
        issue(
          ['vlans', i, 'subnet'],
          'subnet-format',
          `'${v.subnet}' is not an IPv4 network/prefix`,
        ),
      );
    } else {
      if (c.prefix > 30) {
        out.push(issue(['vlans', i, 'subnet'], 'subnet-too-small', 'prefix must be /30 or wider'));
      }
      for (let j = 0; j < i; j++) {
        const other = cidrs[j];
        if (other && overlaps(c, other)) {
          out.push(
            issue(
              ['vlans', i, 'subnet'],
              'subnet-overlap',
              `${v.subnet} overlaps ${vlans[j]?.subnet} of VLAN '${vlans[j]?.name}'`,
            ),
          );
        }
      }
      if (v.dhcp.enabled) {
        const last = v.dhcp.start + v.dhcp.limit - 1;
        if (!hostFits(c, v.dhcp.start) || !hostFits(c, last)) {
          out.push(
            issue(
              ['vlans', i, 'dhcp'],
              'dhcp-pool-range',
              `pool ${v.dhcp.start}..${last} does not fit in ${v.subnet}`,
            ),
          );
        }
        if (gateways > 0 && Math.floor(v.dhcp.limit / gateways) < 1) {
          out.push(
            issue(
              ['vlans', i, 'dhcp', 'limit'],
              'dhcp-pool-too-small',
              `${v.dhcp.limit} addresses cannot be split among ${gateways} gateways`,
            ),
          );
        }
      }
      site.nodes.forEach((n, k) => {
        if (!hostFits(c, n.address)) {
          out.push(
            issue(
              ['nodes', k, 'address'],
              'address-outside-subnet',
              `host ${n.address} does not fit in ${v.subnet} of VLAN '${v.name}'`,
            ),
          );
        } else if (
          v.dhcp.enabled &&
          n.address >= v.dhcp.start &&
          n.address < v.dhcp.start + v.dhcp.limit
        ) {
          out.push(
            issue(
              ['nodes', k, 'address'],
              'address-in-dhcp-pool',
              `host ${n.address} lies in the DHCP pool of VLAN '${v.name}'`,
            ),
          );
        }
      });
    }
    v.forwardTo.forEach((target, j) => {
      const path: PathSegment[] = ['vlans', i, 'forwardTo', j];
      if (!names.has(target)) {
        out.push(issue(path, 'reference', `VLAN '${target}' is not defined`));
      } else if (target === v.name) {
        out.push(issue(path, 'forward-self', 'a VLAN cannot forward to itself'));
      }
    });
    v.ports.forEach((spec, j) => {
      const [port = '', tag] = spec.split(':');
      const path: PathSegment[] = ['vlans', i, 'ports', j];
      if (!lanPorts.has(port)) {
        out.push(issue(path, 'port-unknown', `'${port}' is not a LAN port of the BPI-R3`));
      } else if (tag === undefined) {
        const prior = untaggedBy.get(port);
        if (prior !== undefined) {
          out.push(
            issue(
              path,
              'port-untagged-twice',
              `'${port}' is already untagged in VLAN '${vlans[prior]?.name}'`,
            ),
          );
        } else untaggedBy.set(port, i);
      }
    });
  });
}
