/**
 * The rules a site must meet beyond its shape: uniqueness, subnets, key and SSID lengths,
 * references between sections, gateways and port use. Every rule runs; every broken one is
 * reported with its path, so one run lists all problems.
 *
 * @example
 * for (const i of validateSite(site)) console.log(i.path, i.rule, i.message);
 */
import { boardOf } from './board.ts';
import { hostFits, overlaps, parseCidr, parseIpv4, type Cidr } from './ipv4.ts';
import { issue, type PathSegment, type SiteIssue } from './site-issue.ts';
import { trackOf, type Site } from './site-schema.ts';
import { hasControlCharacter } from './uci/uci-model.ts';

/** Interface and zone names OpenWrt or our renderer already uses. */
const reservedNames = new Set(['loopback', 'lan', 'wan', 'bat0', 'globals', 'mesh_2g', 'mesh_5g']);

/** Free text that ends up in UCI files, where libuci refuses control characters. */
function checkText(site: Site, out: SiteIssue[]): void {
  const texts: [PathSegment[], string | undefined][] = [[['mesh', 'id'], site.mesh.id]];
  site.ssids.forEach((s, i) => texts.push([['ssids', i, 'ssid'], s.ssid]));
  site.nodes.forEach((n, i) =>
    n.wans.forEach((w, j) => {
      if (w.type !== 'modem') return;
      for (const f of ['device', 'apn', 'username', 'password'] as const) {
        texts.push([['nodes', i, 'wans', j, f], w[f]]);
      }
    }),
  );
  for (const [path, text] of texts) {
    if (text !== undefined && hasControlCharacter(text)) {
      out.push(issue(path, 'control-character', 'must not contain control characters'));
    }
  }
}

const checks = [checkVlans, checkSsids, checkNodes, checkMultiwan, checkMeshAndAgent, checkText];

export function validateSite(site: Site): SiteIssue[] {
  const out: SiteIssue[] = [];
  for (const check of checks) check(site, out);
  return out;
}

/**
 * The same rules over a site that failed its schema (some parts raw, some parsed), so one run
 * still reports the cross-field problems. A group of rules that trips over malformed data is
 * skipped: its inputs already have schema errors of their own.
 */
export function validatePartialSite(site: unknown): SiteIssue[] {
  const out: SiteIssue[] = [];
  for (const check of checks) {
    const found: SiteIssue[] = [];
    try {
      check(site as Site, found);
      out.push(...found);
    } catch {
      // Malformed input for this group: the schema issues already describe it.
    }
  }
  return out;
}

function unique<T>(
  items: readonly T[],
  key: (t: T) => string | number,
  path: (i: number) => PathSegment[],
  rule: string,
  what: string,
  out: SiteIssue[],
): void {
  const first = new Map<string | number, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, i);
    else out.push(issue(path(i), rule, `${what} '${k}' is already used at index ${seen}`));
  });
}

/** Byte length as the radio sends it, not JavaScript's UTF-16 length. */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A WPA/SAE passphrase: 8-63 printable ASCII characters. The value is never echoed. */
function checkPassphrase(key: string, path: PathSegment[], out: SiteIssue[]): void {
  if (key.length < 8 || key.length > 63) {
    out.push(issue(path, 'wpa-key-length', `must be 8-63 characters (has ${key.length})`));
  } else if (!/^[\x20-\x7e]+$/.test(key)) {
    out.push(issue(path, 'wpa-key-charset', 'must be printable ASCII characters'));
  }
}

function checkVlans(site: Site, out: SiteIssue[]): void {
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
    if (reservedNames.has(v.name)) {
      out.push(issue(['vlans', i, 'name'], 'name-reserved', `'${v.name}' is used by OpenWrt`));
    }
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

function checkSsids(site: Site, out: SiteIssue[]): void {
  const vlanNames = new Set(site.vlans.map((v) => v.name));
  unique(
    site.ssids,
    (s) => s.name,
    (i) => ['ssids', i, 'name'],
    'name-unique',
    'SSID name',
    out,
  );
  const domains = new Map<string, number>();
  site.ssids.forEach((s, i) => {
    if (utf8Length(s.ssid) > 32) {
      out.push(
        issue(['ssids', i, 'ssid'], 'ssid-length', `is ${utf8Length(s.ssid)} bytes; at most 32`),
      );
    }
    if (!vlanNames.has(s.vlan)) {
      out.push(issue(['ssids', i, 'vlan'], 'reference', `VLAN '${s.vlan}' is not defined`));
    }
    checkPassphrase(s.key, ['ssids', i, 'key'], out);
    if (s.roaming) {
      const md = s.roaming.mobilityDomain;
      const path: PathSegment[] = ['ssids', i, 'roaming', 'mobilityDomain'];
      if (!/^[0-9a-fA-F]{4}$/.test(md)) {
        out.push(issue(path, 'mobility-domain', `'${md}' is not 4 hex digits`));
      } else {
        const prior = domains.get(md.toLowerCase());
        if (prior !== undefined) {
          out.push(
            issue(
              path,
              'mobility-domain-shared',
              `'${md}' is already the mobility domain of SSID '${site.ssids[prior]?.name}'`,
            ),
          );
        } else domains.set(md.toLowerCase(), i);
      }
    }
  });
}

function checkNodes(site: Site, out: SiteIssue[]): void {
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
      if (reservedNames.has(w.name) && w.name !== 'wan') {
        out.push(issue([...path, 'name'], 'name-reserved', `'${w.name}' is used by OpenWrt`));
      }
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
      } else if ((w.auth === 'pap' || w.auth === 'chap' || w.auth === 'both') && !w.username) {
        out.push(issue([...path, 'username'], 'modem-auth', `auth '${w.auth}' needs a username`));
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

function checkTrack(
  targets: readonly string[],
  reliability: number,
  path: PathSegment[],
  out: SiteIssue[],
): void {
  targets.forEach((t, k) => {
    if (parseIpv4(t) === undefined) {
      out.push(issue([...path, 'targets', k], 'track-target', `'${t}' is not an IPv4 address`));
    }
  });
  if (reliability > targets.length) {
    out.push(
      issue(
        [...path, 'reliability'],
        'track-reliability',
        `${reliability} exceeds the ${targets.length} track target(s)`,
      ),
    );
  }
}

function checkMultiwan(site: Site, out: SiteIssue[]): void {
  const mw = site.multiwan;
  const wanNames = new Set(site.nodes.flatMap((n) => n.wans.map((w) => w.name)));
  const memberNames = new Set(mw.members.map((m) => m.name));
  const policyNames = new Set(mw.policies.map((p) => p.name));
  if (mw.track.targets && mw.track.reliability !== undefined) {
    checkTrack(mw.track.targets, mw.track.reliability, ['multiwan', 'track'], out);
  }
  unique(
    mw.members,
    (m) => m.name,
    (i) => ['multiwan', 'members', i, 'name'],
    'name-unique',
    'member',
    out,
  );
  unique(
    mw.policies,
    (p) => p.name,
    (i) => ['multiwan', 'policies', i, 'name'],
    'name-unique',
    'policy',
    out,
  );
  unique(
    mw.rules,
    (r) => r.name,
    (i) => ['multiwan', 'rules', i, 'name'],
    'name-unique',
    'rule',
    out,
  );
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
  });
}

function checkMeshAndAgent(site: Site, out: SiteIssue[]): void {
  checkPassphrase(site.mesh.key, ['mesh', 'key'], out);
  if (site.batman.algorithm === 'BATMAN_IV' && site.batman.gatewaySelectionClass > 255) {
    out.push(
      issue(
        ['batman', 'gatewaySelectionClass'],
        'gw-sel-class',
        'BATMAN_IV takes a class of 1-255',
      ),
    );
  }
  const brokerOk = (url: string) => /^(mqtts?|wss?):\/\/[^\s/]+/.test(url);
  if (!brokerOk(site.agent.broker)) {
    out.push(
      issue(
        ['agent', 'broker'],
        'agent-broker',
        'must be an mqtt://, mqtts://, ws:// or wss:// URL',
      ),
    );
  }
  site.nodes.forEach((n, i) => {
    const b = n.agent?.broker;
    if (b !== undefined && !brokerOk(b)) {
      out.push(
        issue(
          ['nodes', i, 'agent', 'broker'],
          'agent-broker',
          'must be an mqtt://, mqtts://, ws:// or wss:// URL',
        ),
      );
    }
  });
}
