/**
 * Node rules: unique ids and addresses, at least one gateway, WANs only and always on gateways,
 * ports that exist and are not used twice, static WAN and modem settings.
 *
 * @example
 * checkNodes(site, out);
 */
import { boardOf } from '../board.ts';
import { parseIpv4 } from '../ipv4.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import { trackOf, type Site } from '../site-schema.ts';
import { checkTrack, reservedReason, unique } from './rule-helpers.ts';

export function checkNodes(site: Site, out: SiteIssue[]): void {
  const nodes = site.nodes;
  unique(
    nodes,
    (n) => n.id,
    (i) => ['nodes', i, 'id'],
    'node-id-unique',
    'node id',
    out,
  );
  unique(
    nodes,
    (n) => n.address,
    (i) => ['nodes', i, 'address'],
    'node-address-unique',
    'node address',
    out,
  );
  if (!nodes.some((n) => n.role === 'gateway')) {
    out.push(issue(['nodes'], 'no-gateway', 'at least one node must have role gateway'));
  }
  const ssidNames = new Set(site.ssids.map((s) => s.name));
  const vlanNames = new Set(site.vlans.map((v) => v.name));
  nodes.forEach((n, i) => {
    const board = boardOf(n.model);
    if (n.role === 'gateway' && n.wans.length === 0) {
      out.push(
        issue(['nodes', i, 'wans'], 'gateway-without-wan', 'a gateway needs at least one WAN'),
      );
    }
    if (n.role === 'mesh' && n.wans.length > 0) {
      out.push(
        issue(['nodes', i, 'wans'], 'wan-on-mesh-node', "only nodes with role 'gateway' have WANs"),
      );
    }
    (n.ssids ?? []).forEach((name, j) => {
      if (!ssidNames.has(name)) {
        out.push(issue(['nodes', i, 'ssids', j], 'reference', `SSID '${name}' is not defined`));
      }
    });
    unique(
      n.wans,
      (w) => w.name,
      (j) => ['nodes', i, 'wans', j, 'name'],
      'name-unique',
      'WAN name',
      out,
    );
    const wanPorts = new Map<string, number>();
    n.wans.forEach((w, j) => {
      const path: PathSegment[] = ['nodes', i, 'wans', j];
      // 'wan' is the usual name of a first uplink and clashes with nothing we write.
      const reserved = w.name === 'wan' ? undefined : reservedReason(w.name);
      if (reserved) out.push(issue([...path, 'name'], 'name-reserved', reserved));
      if (vlanNames.has(w.name)) {
        out.push(issue([...path, 'name'], 'name-clash', `'${w.name}' is also a VLAN name`));
      }
      const track = trackOf(site, w);
      checkTrack(track.targets, track.reliability, [...path, 'track'], out);
      if (w.type === 'ethernet') {
        if (!board.ports.includes(w.port)) {
          out.push(
            issue([...path, 'port'], 'port-unknown', `'${w.port}' is not a port of the board`),
          );
        } else if (wanPorts.has(w.port)) {
          out.push(issue([...path, 'port'], 'port-conflict', `'${w.port}' is already a WAN port`));
        } else wanPorts.set(w.port, j);
        if (w.proto === 'static') {
          const cidr = w.address ? /^([0-9.]+)\/(\d{1,2})$/.exec(w.address) : null;
          if (!cidr || parseIpv4(cidr[1] ?? '') === undefined || Number(cidr[2]) > 32) {
            out.push(
              issue([...path, 'address'], 'static-wan', 'a static WAN needs address a.b.c.d/nn'),
            );
          }
          if (!w.gateway || parseIpv4(w.gateway) === undefined) {
            out.push(
              issue([...path, 'gateway'], 'static-wan', 'a static WAN needs a gateway address'),
            );
          }
        }
        w.dns.forEach((d, k) => {
          if (parseIpv4(d) === undefined) {
            out.push(issue([...path, 'dns', k], 'address-format', `'${d}' is not an IPv4 address`));
          }
        });
      } else {
        if ((w.auth === 'pap' || w.auth === 'chap' || w.auth === 'both') && !w.username) {
          out.push(issue([...path, 'username'], 'modem-auth', `auth '${w.auth}' needs a username`));
        }
        checkModes(w.modes, w.preferredMode, path, out);
      }
    });
    (n.ports ?? []).forEach((p, j) => {
      const path: PathSegment[] = ['nodes', i, 'ports', j];
      if (!board.ports.includes(p)) {
        out.push(issue(path, 'port-unknown', `'${p}' is not a port of the board`));
      } else if (wanPorts.has(p)) {
        out.push(issue(path, 'port-conflict', `'${p}' is a WAN port of this node`));
      }
    });
  });
}

/** ModemManager takes a preferred mode only together with two or more allowed modes. */
function checkModes(
  modes: readonly string[] | undefined,
  preferred: string | undefined,
  path: PathSegment[],
  out: SiteIssue[],
): void {
  if (modes && new Set(modes).size !== modes.length) {
    out.push(issue([...path, 'modes'], 'modem-modes', 'lists a mode twice'));
  }
  if (preferred === undefined) return;
  if (!modes || modes.length < 2) {
    out.push(
      issue([...path, 'preferredMode'], 'modem-preferred-mode', 'needs two or more allowed modes'),
    );
  } else if (!modes.includes(preferred)) {
    out.push(
      issue([...path, 'preferredMode'], 'modem-preferred-mode', `'${preferred}' is not allowed`),
    );
  }
}
