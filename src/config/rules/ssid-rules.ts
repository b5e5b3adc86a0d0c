/**
 * SSID rules: at most 32 bytes, WPA passphrases, 802.11r mobility domains, the VLAN exists.
 *
 * @example
 * checkSsids(site, out);
 */
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { checkPassphrase, unique, utf8Length } from './rule-helpers.ts';

export function checkSsids(site: Site, out: SiteIssue[]): void {
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
    if (s.name === 'mesh') {
      out.push(issue(['ssids', i, 'name'], 'name-reserved', "'mesh' names the mesh interfaces"));
    }
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
        // Entries that broadcast the same SSID are one network and must share it (ft-rules.ts);
        // two different SSIDs in one mobility domain would let clients try FT between them.
        if (prior !== undefined && site.ssids[prior]?.ssid !== s.ssid) {
          out.push(
            issue(
              path,
              'mobility-domain-shared',
              `'${md}' is already the mobility domain of SSID '${site.ssids[prior]?.name}'`,
            ),
          );
        } else if (prior === undefined) domains.set(md.toLowerCase(), i);
      }
    }
  });
}
