/**
 * Property: any valid site renders, for every node, UCI files that parse back (with our
 * libuci-compatible parser) to exactly the rendered packages, and those packages carry the
 * site's own values: addresses, VLAN ids, SSIDs, keys, WAN settings.
 */
import fc from 'fast-check';
import { validateAgentConfig } from '../../src/agent/agent-config.ts';
import { describe, expect, it } from 'vitest';
import { agentConfigPath, configNames, renderNode } from '../../src/config/render/render-node.ts';
import { hostAddress, parseCidr } from '../../src/config/ipv4.ts';
import { hasControlCharacter } from '../../src/config/uci/uci-model.ts';
import { parseSite, parseUci, type Site } from '../../src/config/index.ts';
import { ftMismatches } from '../../src/config/rules/ft-consistency.ts';
import { renderedFtBsses } from '../../src/config/rules/ft-rules.ts';

const lanPorts = ['lan1', 'lan2', 'lan3', 'lan4', 'sfp2'];
const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 8,
  maxLength: 63,
});
const ssidText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 32 })
  .filter((s) => Buffer.byteLength(s) <= 32 && ![...s].some((c) => (c.codePointAt(0) ?? 0) < 32));
const vlanNames = ['mgmt', 'staff', 'iot', 'guest', 'cams', 'voice'];
const wanNames = ['fiber', 'cable', 'lte', 'dsl'];

const siteArb = fc
  .record({
    vlanCount: fc.integer({ min: 1, max: 4 }),
    ids: fc.uniqueArray(fc.integer({ min: 1, max: 4094 }), { minLength: 4, maxLength: 4 }),
    octets: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
    prefixes: fc.array(fc.integer({ min: 16, max: 24 }), { minLength: 4, maxLength: 4 }),
    flags: fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean()), {
      minLength: 4,
      maxLength: 4,
    }),
    portOwners: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 5, maxLength: 5 }),
    // Distinct SSID texts: entries that broadcast one SSID must agree on 802.11r (ft-rules.ts).
    ssids: fc.uniqueArray(
      fc.record({
        ssid: ssidText,
        key: printable,
        vlan: fc.nat(3),
        bands: fc.subarray(['2g', '5g'] as const, { minLength: 1 }),
        encryption: fc.constantFrom('wpa2-psk', 'wpa3-sae', 'wpa2-wpa3'),
        roaming: fc.boolean(),
        hidden: fc.boolean(),
      }),
      { maxLength: 3, selector: (s) => s.ssid },
    ),
    meshKey: printable,
    meshId: fc.string({ minLength: 1, maxLength: 32 }).filter((s) => !hasControlCharacter(s)),
    nodes: fc.uniqueArray(
      fc.record({
        address: fc.integer({ min: 1, max: 90 }),
        gateway: fc.boolean(),
        wans: fc.subarray(wanNames, { minLength: 1, maxLength: 2 }),
        modemFirst: fc.boolean(),
        apn: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !hasControlCharacter(s)),
        meshRadios: fc.subarray(['2g', '5g'] as const, { minLength: 1 }),
      }),
      { minLength: 1, maxLength: 6, selector: (n) => n.address },
    ),
    weights: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 4 }),
  })
  .map((g) => {
    const vlans = Array.from({ length: g.vlanCount }, (_, i) => {
      const [isolation, internet, trusted, dhcp] = g.flags[i] ?? [false, false, false, false];
      return {
        name: vlanNames[i],
        id: g.ids[i],
        subnet: `10.${g.octets[i]}.0.0/${g.prefixes[i]}`,
        isolation,
        internet,
        trusted,
        dhcp: { enabled: dhcp, start: 100, limit: 100 },
        forwardTo: i > 0 ? [vlanNames[0]] : [],
        ports: lanPorts.flatMap((p, k) => {
          const owner = g.portOwners[k] ?? -1;
          if (owner === i) return [p];
          return owner === -1 && i % 2 === 1 ? [`${p}:t`] : [];
        }),
      };
    });
    const nodes = g.nodes.map((n, i) => {
      const gateway = i === 0 || n.gateway;
      return {
        id: `node-${i}`,
        role: gateway ? 'gateway' : 'mesh',
        address: n.address,
        meshRadios: n.meshRadios,
        wans: gateway
          ? n.wans.map((name, j) =>
              j === 0 && n.modemFirst
                ? { name, type: 'modem', apn: n.apn, pin: '0000', auth: 'none' }
                : { name, type: 'ethernet', port: j === 0 ? 'wan' : 'sfp1' },
            )
          : [],
      };
    });
    const used = new Set(nodes.flatMap((n) => n.wans.map((w) => w.name)));
    const members = wanNames
      .filter((w) => used.has(w))
      .map((w, i) => ({ name: `${w}_m`, wan: w, metric: 1 + (i % 2), weight: g.weights[i] }));
    return {
      name: 'prop',
      country: 'DE',
      mesh: { id: g.meshId, key: g.meshKey },
      vlans,
      ssids: g.ssids.map((s, i) => ({
        name: `ssid${i}`,
        ssid: s.ssid,
        vlan: vlanNames[s.vlan % g.vlanCount],
        bands: s.bands,
        encryption: s.encryption,
        key: s.key,
        hidden: s.hidden,
        roaming: s.roaming ? { mobilityDomain: (0xa000 + i).toString(16) } : undefined,
      })),
      multiwan: {
        members,
        policies: [{ name: 'all', members: members.map((m) => m.name) }],
        rules: [{ name: 'default', destIp: '0.0.0.0/0', policy: 'all' }],
      },
      nodes,
    };
  });

function optionsOf(site: Site, nodeId: string, config: string, section: string) {
  const pkg = renderNode(site, nodeId).configs[config as (typeof configNames)[number]];
  return pkg.sections.find((s) => s.name === section)?.options;
}

describe('render -> parse property', () => {
  it('every valid site renders files that parse back to the same values', () => {
    fc.assert(
      fc.property(siteArb, (input) => {
        const r = parseSite(JSON.stringify(input), { env: {} });
        expect(r.ok ? [] : r.issues).toEqual([]);
        if (!r.ok) return;
        const site = r.site;
        // What the renderer derives for 802.11r agrees on every AP of each SSID.
        expect(ftMismatches(renderedFtBsses(site))).toEqual([]);
        for (const node of site.nodes) {
          const rendered = renderNode(site, node.id);
          for (const name of configNames) {
            const file = rendered.files.find((f) => f.path === `etc/config/${name}`);
            expect(parseUci(file?.content ?? '', { source: name })).toEqual(rendered.configs[name]);
          }
          const agent = rendered.files.find((f) => f.path === agentConfigPath);
          expect(JSON.parse(agent?.content ?? '')).toEqual(rendered.agent);
          // The agent on the router reads exactly this file: it must pass the agent's own checks.
          expect(() => validateAgentConfig(rendered.agent, agentConfigPath)).not.toThrow();

          // The parsed values are the site's values, not merely self-consistent.
          const parsed = Object.fromEntries(
            rendered.files.map((f) => [
              f.path,
              f.path.startsWith('etc/config/') ? parseUci(f.content) : undefined,
            ]),
          );
          const section = (config: string, name: string) =>
            parsed[`etc/config/${config}`]?.sections.find((s) => s.name === name)?.options;
          for (const v of site.vlans) {
            const c = parseCidr(v.subnet);
            expect(section('network', v.name)?.get('ipaddr')).toBe(
              c && hostAddress(c, node.address),
            );
            expect(section('network', `vlan_${v.name}`)?.get('vlan')).toBe(String(v.id));
          }
          for (const s of site.ssids) {
            for (const band of s.bands) {
              const ap = section('wireless', `${s.name}_${band}`);
              expect(ap?.get('ssid')).toBe(s.ssid);
              expect(ap?.get('key')).toBe(s.key);
              expect(ap?.get('mobility_domain')).toBe(s.roaming?.mobilityDomain);
            }
          }
          for (const band of node.meshRadios) {
            expect(section('wireless', `mesh_${band}`)?.get('key')).toBe(site.mesh.key);
            expect(section('wireless', `mesh_${band}`)?.get('mesh_id')).toBe(site.mesh.id);
          }
          for (const w of node.wans) {
            const iface = section('network', w.name);
            if (w.type === 'modem') expect(iface?.get('apn')).toBe(w.apn);
            else expect(iface?.get('device')).toBe(w.port);
            expect(section('mwan3', w.name)?.get('track_ip')).toEqual([
              '1.1.1.1',
              '8.8.8.8',
              '9.9.9.9',
            ]);
          }
          for (const m of site.multiwan.members) {
            const mine = node.wans.some((w) => w.name === m.wan);
            expect(optionsOf(site, node.id, 'mwan3', m.name)?.get('weight')).toBe(
              mine ? String(m.weight) : undefined,
            );
          }
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
  });
});
