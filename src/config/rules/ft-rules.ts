/**
 * 802.11r consistency of a site, checked on what the renderer actually writes: every node's
 * `/etc/config/wireless` is rendered, its AP interfaces compared per SSID (`ft-consistency.ts`),
 * and each mismatch reported at the site field that produced it.
 *
 * Two SSID entries that broadcast the same SSID text (for instance one per building, picked
 * with `nodes[].ssids`) form one network for a roaming client, so their FT settings must agree.
 *
 * @example
 * checkFastTransition(site, out); // out gets e.g. ssids[3].roaming.mobilityDomain [ft-mobility-domain]
 */
import { nodeContext } from '../render/node-context.ts';
import { renderWireless } from '../render/wireless.ts';
import { issue, type PathSegment, type SiteIssue } from '../site-issue.ts';
import type { Site } from '../site-schema.ts';
import { ftMismatches, type FtBss, type FtField } from './ft-consistency.ts';

/** Every AP interface the site renders, with the SSID entry and node it comes from. */
export function renderedFtBsses(site: Site): FtBss[] {
  const out: FtBss[] = [];
  site.nodes.forEach((node, nodeIndex) => {
    const ctx = nodeContext(site, node.id);
    for (const section of renderWireless(ctx).sections) {
      if (section.type !== 'wifi-iface' || section.options.get('mode') !== 'ap') continue;
      // Sections are named `<ssid name>_<band>` (wireless.ts); the band is the last segment.
      const name = section.name ?? '';
      const cut = name.lastIndexOf('_');
      const ssidEntry = site.ssids.findIndex((s) => s.name === name.slice(0, cut));
      if (ssidEntry < 0) continue;
      out.push({
        node: node.id,
        nodeIndex,
        ssidEntry,
        band: name.slice(cut + 1),
        options: section.options,
      });
    }
  });
  return out;
}

function sitePath(site: Site, bss: FtBss, field: FtField): PathSegment[] {
  const entry: PathSegment[] = ['ssids', bss.ssidEntry];
  const roaming = [...entry, 'roaming'];
  switch (field) {
    case 'ieee80211r':
      return site.ssids[bss.ssidEntry]?.roaming ? roaming : entry;
    case 'encryption':
    case 'key':
      return [...entry, field];
    case 'mobility_domain':
      return [...roaming, 'mobilityDomain'];
    case 'ft_over_ds':
      return [...roaming, 'ftOverDs'];
    case 'ft_psk_generate_local':
      return [...roaming, 'ftPskGenerateLocal'];
    // Per-AP options: the node is the place to look.
    case 'nasid':
    case 'r0kh':
    case 'r1kh':
      return ['nodes', bss.nodeIndex];
  }
}

export function checkFastTransition(site: Site, out: SiteIssue[]): void {
  const seen = new Set<string>();
  for (const m of ftMismatches(renderedFtBsses(site))) {
    const found = issue(sitePath(site, m.bss, m.field), m.rule, m.message);
    // One site entry renders many APs; its mismatch is one problem, reported once.
    const key = `${found.path} ${found.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(found);
  }
}
