import { describe, expect, it } from 'vitest';
import { loadSite, parseSite } from '../../src/config/index.ts';
import { exampleObject, examplePath, exampleText, issuesOf, type Loose } from './example-site.ts';

type Case = [rule: string, path: string, mutate: (s: Loose) => void];

/** Each case breaks exactly one rule of the otherwise valid example site. */
const cases: Case[] = [
  // Shape (zod)
  ['too-big', 'vlans[0].id', (s) => (s.vlans[0].id = 4095)],
  ['too-small', 'vlans[0].id', (s) => (s.vlans[0].id = 0)],
  ['required', 'nodes[0].wans[1].apn', (s) => delete s.nodes[0].wans[1].apn],
  ['unknown-key', 'vlan', (s) => (s.vlan = [])],
  ['invalid-value', 'ssids[0].encryption', (s) => (s.ssids[0].encryption = 'wep')],
  ['invalid-format', 'country', (s) => (s.country = 'kenya')],
  // VLANs and subnets
  ['vlan-id-unique', 'vlans[1].id', (s) => (s.vlans[1].id = 99)],
  ['name-unique', 'vlans[1].name', (s) => (s.vlans[1].name = 'management')],
  ['name-reserved', 'vlans[3].name', (s) => (s.vlans[3].name = 'wan')],
  ['name-reserved', 'vlans[3].name', (s) => (s.vlans[3].name = 'vlan_x')],
  ['name-reserved', 'nodes[1].wans[0].name', (s) => (s.nodes[1].wans[0].name = 'bat_guest')],
  ['name-reserved', 'ssids[2].name', (s) => (s.ssids[2].name = 'mesh')],
  ['name-unique', 'multiwan.policies[0].name', (s) => (s.multiwan.policies[0].name = 'lte_m1_w1')],
  ['name-unique', 'multiwan.rules[0].name', (s) => (s.multiwan.rules[0].name = 'fiber')],
  ['subnet-format', 'vlans[0].subnet', (s) => (s.vlans[0].subnet = '10.99.0.1/24')],
  ['subnet-too-small', 'vlans[0].subnet', (s) => (s.vlans[0].subnet = '10.99.0.0/31')],
  ['subnet-overlap', 'vlans[2].subnet', (s) => (s.vlans[2].subnet = '10.10.8.0/22')],
  ['dhcp-pool-range', 'vlans[0].dhcp', (s) => (s.vlans[0].dhcp.limit = 200)],
  ['dhcp-pool-too-small', 'vlans[0].dhcp.limit', (s) => (s.vlans[0].dhcp.limit = 1)],
  ['address-outside-subnet', 'nodes[5].address', (s) => (s.nodes[5].address = 300)],
  ['address-in-dhcp-pool', 'nodes[5].address', (s) => (s.nodes[5].address = 120)],
  ['reference', 'vlans[1].forwardTo[0]', (s) => (s.vlans[1].forwardTo = ['printers'])],
  ['forward-self', 'vlans[1].forwardTo[0]', (s) => (s.vlans[1].forwardTo = ['user'])],
  ['port-unknown', 'vlans[1].ports[0]', (s) => (s.vlans[1].ports[0] = 'lan9')],
  ['port-untagged-twice', 'vlans[2].ports[0]', (s) => (s.vlans[2].ports[0] = 'lan1')],
  // SSIDs
  ['reference', 'ssids[0].vlan', (s) => (s.ssids[0].vlan = 'staff')],
  ['ssid-length', 'ssids[0].ssid', (s) => (s.ssids[0].ssid = 'é'.repeat(17))],
  ['wpa-key-length', 'ssids[1].key', (s) => (s.ssids[1].key = 'short')],
  ['wpa-key-length', 'ssids[1].key', (s) => (s.ssids[1].key = 'k'.repeat(64))],
  ['wpa-key-charset', 'ssids[1].key', (s) => (s.ssids[1].key = 'clé-secrète-longue')],
  ['wpa-key-length', 'mesh.key', (s) => (s.mesh.key = 'seven77')],
  [
    'mobility-domain',
    'ssids[0].roaming.mobilityDomain',
    (s) => (s.ssids[0].roaming.mobilityDomain = 'a1b'),
  ],
  [
    'mobility-domain',
    'ssids[0].roaming.mobilityDomain',
    (s) => (s.ssids[0].roaming.mobilityDomain = 'wxyz'),
  ],
  [
    'mobility-domain-shared',
    'ssids[1].roaming.mobilityDomain',
    (s) => (s.ssids[1].roaming.mobilityDomain = 'A1B2'),
  ],
  ['control-character', 'ssids[0].ssid', (s) => (s.ssids[0].ssid = 'bad\u0007bell')],
  // Nodes, gateways, ports, WANs
  ['node-id-unique', 'nodes[3].id', (s) => (s.nodes[3].id = 'relay-1')],
  ['node-address-unique', 'nodes[3].address', (s) => (s.nodes[3].address = 3)],
  ['reference', 'nodes[4].ssids[0]', (s) => (s.nodes[4].ssids[0] = 'lobby')],
  ['gateway-without-wan', 'nodes[1].wans', (s) => (s.nodes[1].wans = [])],
  [
    'wan-on-mesh-node',
    'nodes[2].wans',
    (s) => (s.nodes[2].wans = [{ name: 'x', type: 'ethernet', port: 'wan' }]),
  ],
  ['name-clash', 'nodes[1].wans[0].name', (s) => (s.nodes[1].wans[0].name = 'user')],
  ['name-unique', 'nodes[0].wans[1].name', (s) => (s.nodes[0].wans[1].name = 'fiber')],
  ['port-unknown', 'nodes[1].wans[0].port', (s) => (s.nodes[1].wans[0].port = 'eth7')],
  ['port-unknown', 'nodes[4].ports[0]', (s) => (s.nodes[4].ports[0] = 'usb1')],
  ['port-conflict', 'nodes[1].ports[0]', (s) => (s.nodes[1].ports = ['wan'])],
  [
    'port-conflict',
    'nodes[1].wans[1].port',
    (s) => s.nodes[1].wans.push({ name: 'cable2', type: 'ethernet', port: 'wan' }),
  ],
  [
    'static-wan',
    'nodes[1].wans[0].gateway',
    (s) => Object.assign(s.nodes[1].wans[0], { proto: 'static', address: '203.0.113.2/29' }),
  ],
  [
    'static-wan',
    'nodes[1].wans[0].address',
    (s) => Object.assign(s.nodes[1].wans[0], { proto: 'static', gateway: '203.0.113.1' }),
  ],
  ['address-format', 'nodes[1].wans[0].dns[0]', (s) => (s.nodes[1].wans[0].dns = ['dns.example'])],
  [
    'modem-preferred-mode',
    'nodes[0].wans[1].preferredMode',
    (s) => (s.nodes[0].wans[1].modes = ['4g']),
  ],
  [
    'modem-preferred-mode',
    'nodes[0].wans[1].preferredMode',
    (s) => (s.nodes[0].wans[1].preferredMode = '5g'),
  ],
  ['modem-modes', 'nodes[0].wans[1].modes', (s) => (s.nodes[0].wans[1].modes = ['4g', '4g'])],
  ['modem-auth', 'nodes[0].wans[1].username', (s) => (s.nodes[0].wans[1].auth = 'chap')],
  [
    'track-target',
    'nodes[0].wans[1].track.targets[1]',
    (s) => (s.nodes[0].wans[1].track.targets[1] = 'google.com'),
  ],
  [
    'track-reliability',
    'nodes[0].wans[1].track.reliability',
    (s) => (s.nodes[0].wans[1].track.reliability = 3),
  ],
  ['track-reliability', 'multiwan.track.reliability', (s) => (s.multiwan.track.reliability = 4)],
  [
    'no-gateway',
    'nodes',
    (s) => {
      for (const n of s.nodes) {
        n.role = 'mesh';
        n.wans = [];
      }
      s.multiwan = {};
    },
  ],
  // Multi-WAN
  ['reference', 'multiwan.members[0].wan', (s) => (s.multiwan.members[0].wan = 'dsl')],
  [
    'reference',
    'multiwan.policies[0].members[1]',
    (s) => (s.multiwan.policies[0].members[1] = 'cable_m9'),
  ],
  ['reference', 'multiwan.rules[0].policy', (s) => (s.multiwan.rules[0].policy = 'cheapest')],
  ['name-unique', 'multiwan.members[1].name', (s) => (s.multiwan.members[1].name = 'fiber_m1_w3')],
  ['rule-port-proto', 'multiwan.rules[1]', (s) => (s.multiwan.rules[1].destPort = '80')],
  [
    'address-format',
    'multiwan.rules[0].destIp',
    (s) => (s.multiwan.rules[0].destIp = '0.0.0.0/33'),
  ],
  ['port-format', 'multiwan.rules[0].destPort', (s) => (s.multiwan.rules[0].destPort = 'https')],
  ['agent-match', 'multiwan.rules[0].destPort', (s) => (s.multiwan.rules[0].destPort = '80,443')],
  ['agent-match', 'multiwan.rules[0].srcPort', (s) => (s.multiwan.rules[0].srcPort = '1024')],
  ['port-format', 'multiwan.rules[0].destPort', (s) => (s.multiwan.rules[0].destPort = '70000')],
  // Mesh and agent
  ['gw-sel-class', 'batman.gatewaySelectionClass', (s) => (s.batman.gatewaySelectionClass = 5000)],
  ['agent-broker', 'agent.broker', (s) => (s.agent.broker = 'http://10.99.0.1')],
  ['agent-broker', 'nodes[5].agent.broker', (s) => (s.nodes[5].agent.broker = '10.99.0.1:1883')],
  ['agent-topic-root', 'agent.topicPrefix', (s) => (s.agent.topicPrefix = 'mesh')],
  [
    'agent-topic-root',
    'nodes[5].agent.topicPrefix',
    (s) => (s.nodes[5].agent.topicPrefix = 'other'),
  ],
  ['env-missing', 'mesh.key', (s) => (s.mesh.key = '${env:INTELLI_MESH_TEST_UNSET}')],
];

describe('site validation rules', () => {
  it('accepts the example site', () => {
    const r = parseSite(exampleText, { env: {} });
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it.each(cases)('%s at %s', (rule, path, mutate) => {
    const issues = issuesOf(mutate);
    expect(issues.map((i) => `${i.path} ${i.rule}`)).toContain(`${path} ${rule}`);
  });

  it('reports every broken rule of a site in one run, each located in the YAML', () => {
    const issues = issuesOf((s) => {
      s.vlans[1].id = 99;
      s.vlans[2].subnet = '10.10.8.0/22';
      s.ssids[1].key = 'short';
      s.nodes[0].wans[1].apn = '';
      s.nodes[3].id = 'relay-1';
    });
    expect(issues.map((i) => i.rule).sort()).toEqual(
      ['node-id-unique', 'subnet-overlap', 'too-small', 'vlan-id-unique', 'wpa-key-length'].sort(),
    );
    for (const i of issues) expect(i.line).toBeGreaterThan(0);
  });

  it('never puts a secret into a message', () => {
    const secrets = ['Sekr3t\u00e9-mesh-key', 'tiny', 'pw-\u00fc-x'.repeat(10)];
    const issues = issuesOf((s) => {
      s.mesh.key = secrets[0];
      s.ssids[0].key = secrets[1];
      s.ssids[1].key = secrets[2];
      s.nodes[0].wans[1].pin = 'abc123456789';
    });
    expect(issues.length).toBeGreaterThanOrEqual(4);
    for (const i of issues) {
      for (const secret of [...secrets, 'abc123456789']) expect(i.message).not.toContain(secret);
    }
  });

  it('loads from a path or from text alike', async () => {
    const fromPath = await loadSite(examplePath, { env: {} });
    const fromText = await loadSite({ text: exampleText }, { env: {} });
    expect(fromPath.ok).toBe(true);
    expect(fromText).toEqual(fromPath);
  });

  it('reads ${env:NAME} references', () => {
    const site = exampleObject();
    site.mesh.key = '${env:MESH_KEY}';
    site.ssids[0].key = 'pre-${env:STAFF}-post';
    const r = parseSite(JSON.stringify(site), {
      env: { MESH_KEY: 'from-the-env-1', STAFF: 'xyz' },
    });
    expect(r.ok && r.site.mesh.key).toBe('from-the-env-1');
    expect(r.ok && r.site.ssids[0]?.key).toBe('pre-xyz-post');
  });

  it('gives YAML syntax errors a line and column', () => {
    const r = parseSite('name: x\nvlans: [1, 2\nnodes: []\n', { env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.rule).toBe('yaml-syntax');
    expect(r.issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(r.issues[0]?.col).toBeGreaterThanOrEqual(1);
  });

  it('refuses a YAML alias bomb with an issue instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const r = parseSite(lines.join('\n'), { env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.rule)).toEqual(['yaml-aliases']);
  });

  it('rejects duplicate keys in the YAML', () => {
    const r = parseSite(exampleText.replace('country: KE', 'country: KE\ncountry: TZ'), {
      env: {},
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.rule).toBe('yaml-syntax');
  });
});
